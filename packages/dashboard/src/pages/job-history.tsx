/**
 * A tenant's recovery jobs (bulk retry, recover, replay), newest first: what
 * each was asked to do, how far it got and how it ended. Running jobs are
 * polled until they finish.
 */
import { useEffect, useState } from 'react';
import type { Job, Page } from '../../../sdk/src/client/index.ts';
import { dateTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, Loading } from '../ui.tsx';

const POLL_MS = 2000;

const KIND_LABEL: Record<Job['kind'], string> = {
  retry: 'Bulk retry',
  recover: 'Recover failed deliveries',
  replay: 'Replay events',
};

const AFFECTED_LABEL: Record<Job['kind'], string> = {
  retry: 'queued again',
  recover: 'queued again',
  replay: 'deliveries created',
};

/** The job's parameters as "name: value" pairs, for people (times shown local). */
function describeParams(params: Record<string, unknown>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}: ${/^\d{4}-\d\d-\d\dT/.test(text) ? dateTime(text) : text}`;
    });
  return parts.length === 0 ? 'everything' : parts.join(', ');
}

const running = (job: Job) => job.status === 'queued' || job.status === 'running';

export function JobHistory({ tid }: { tid: string }) {
  const { client } = useSession();
  const [page, setPage] = useState<Page<Job> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await client.listJobs(tid, { limit: 20, ...(cursor ? { cursor } : {}) });
        if (stopped) return;
        setPage(next);
        setError(null);
        if (next.data.some(running)) timer = setTimeout(load, POLL_MS);
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, tid, cursor]);

  if (!page && !error) return <Loading />;
  return (
    <section aria-label="Job history">
      <ErrorBox error={error} />
      {page && page.data.length === 0 && (
        <Empty>
          No jobs yet: bulk retries, recoveries and replays started here or through the API are listed here.
        </Empty>
      )}
      {page && page.data.length > 0 && (
        <div>
          <table className="jobs stack">
            <caption className="sr-only">Recovery jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Asked for</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((job) => (
                <tr key={job.id}>
                  <td className="cell" data-label="Job">
                    {KIND_LABEL[job.kind]}
                    <br />
                    <code className="muted">{job.id}</code>
                  </td>
                  <td className="cell" data-label="Asked for">
                    {describeParams(job.params)}
                  </td>
                  <td className="cell" data-label="Status">
                    <span className={`badge ${job.status}`}>{job.status}</span>
                    {job.error && <div className="error">{job.error}</div>}
                  </td>
                  <td className="cell" data-label="Progress">
                    {job.progress.processed} examined, {job.progress.affected} {AFFECTED_LABEL[job.kind]}
                  </td>
                  <td className="cell" data-label="Started">
                    {job.startedAt ? dateTime(job.startedAt) : 'waiting'}
                  </td>
                  <td className="cell" data-label="Finished">
                    {job.finishedAt ? dateTime(job.finishedAt) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.nextCursor && (
        <button type="button" className="secondary" onClick={() => setCursor(page.nextCursor)}>
          Older jobs
        </button>
      )}
    </section>
  );
}

export function JobsPage({ tid }: { tid: string }) {
  return (
    <div>
      <h1>Jobs</h1>
      <p className="muted">
        Recovery jobs run in the background: start them from the delivery log (retry what matches the filters)
        or a subscription's page (recover, replay).
      </p>
      <JobHistory tid={tid} />
    </div>
  );
}
