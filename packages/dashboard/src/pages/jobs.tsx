/**
 * Recovery jobs from the dashboard: an action asks for confirmation, starts
 * a job (bulk retry, recover, replay) and shows its progress until it ends.
 */
import { useEffect, useState } from 'react';
import type { Job, JobAccepted, JobPreview } from '../../../sdk/src/client/index.ts';
import { localInputToIso } from '../format.ts';
import { useSession } from '../session.tsx';
import { ErrorBox } from '../ui.tsx';
import { RetryReportList, reportText } from './retry-result.tsx';

const POLL_MS = 1000;

const done = (job: Job) => job.status === 'succeeded' || job.status === 'failed';

const AFFECTED: Record<Job['kind'], string> = {
  retry: 'failed deliveries queued again',
  recover: 'failed deliveries queued again',
  replay: 'new deliveries created',
};

/** A job started from the page, polled until it succeeds or fails. */
export function useJob(tid: string) {
  const { client } = useSession();
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!job || done(job)) return;
    const timer = setTimeout(async () => {
      try {
        setJob(await client.getJob(tid, job.id));
      } catch (err) {
        setError(err);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [client, tid, job]);
  const start = async (run: () => Promise<JobAccepted>) => {
    setError(null);
    setJob(null);
    try {
      setJob((await run()).job);
    } catch (err) {
      setError(err);
    }
  };
  return { job, error, start };
}

export function JobProgress({ job, tid }: { job: Job; tid?: string }) {
  const finished = done(job);
  const report = job.report ?? null;
  return (
    <>
      <p
        className={finished && job.status === 'failed' ? 'error' : 'notice'}
        role="status"
        aria-label="Job progress"
      >
        Job {job.kind}: <strong>{job.status}</strong> — {job.progress.processed} examined,{' '}
        {job.progress.affected} {AFFECTED[job.kind]}
        {report ? `; ${report.queued} go out now` : ''}
        {job.error ? ` (${job.error})` : ''}
        {finished ? '.' : '…'}
      </p>
      {/* Why the rest wait (open circuit, paused endpoint…), each with the action that unblocks it. */}
      {report && tid && <RetryReportList tid={tid} report={report} />}
    </>
  );
}

/** What the job would do, asked before it starts (`dryRun`). */
function PreviewLine({ preview }: { preview: JobPreview }) {
  const what = preview.kind === 'replay' ? 'create' : 'queue again';
  return (
    <p className="preview">
      This would {what} {preview.complete ? '' : 'at least '}
      <strong>{preview.affected}</strong> {preview.affected === 1 ? 'delivery' : 'deliveries'} (
      {preview.processed} examined). {reportText(preview)}
    </p>
  );
}

/** A button that asks before starting a job, then follows it. */
export function JobAction(props: {
  tid: string;
  label: string;
  /** What will happen, said in the confirmation dialog. */
  question: string;
  disabled?: boolean;
  run(): Promise<JobAccepted>;
  /** The same request with `dryRun: true`: its counts are shown in the confirmation. */
  preview?: () => Promise<JobPreview>;
}) {
  const { job, error, start } = useJob(props.tid);
  const [asking, setAsking] = useState(false);
  const [preview, setPreview] = useState<{ answer: JobPreview | null; error: unknown } | null>(null);
  const running = job !== null && !done(job);
  const ask = () => {
    setAsking(true);
    setPreview(null);
    if (!props.preview) return;
    props.preview().then(
      (answer) => setPreview({ answer, error: null }),
      (err: unknown) => setPreview({ answer: null, error: err }),
    );
  };
  return (
    <div className="job-action">
      <button type="button" className="secondary" disabled={props.disabled || running} onClick={ask}>
        {props.label}
      </button>
      {asking && (
        <div className="panel" role="alertdialog" aria-label={props.label} aria-modal="false">
          <p>{props.question}</p>
          {props.preview && !preview && <p className="muted">Counting what it would do…</p>}
          {preview?.answer && <PreviewLine preview={preview.answer} />}
          {preview?.error ? <ErrorBox error={preview.error} /> : null}
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setAsking(false);
                void start(props.run);
              }}
            >
              Confirm
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={error} />
      {job && <JobProgress job={job} tid={props.tid} />}
    </div>
  );
}

const dayAgoInput = () => {
  const d = new Date(Date.now() - 86_400_000);
  // datetime-local wants local time without a zone.
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Recover and replay for one subscription, from a time the operator picks. */
export function RecoveryPanel({ tid, eid }: { tid: string; eid: string }) {
  const { client } = useSession();
  const [since, setSince] = useState(dayAgoInput);
  const sinceIso = localInputToIso(since);
  const when = sinceIso ? new Date(sinceIso).toLocaleString() : '';
  return (
    <section className="panel" aria-label="Recovery">
      <h2>Recovery</h2>
      <label htmlFor={`recover-since-${eid}`}>Since</label>
      <input
        id={`recover-since-${eid}`}
        type="datetime-local"
        value={since}
        onChange={(e) => setSince(e.target.value)}
      />
      <div className="actions">
        <JobAction
          tid={tid}
          label="Recover failed deliveries since…"
          question={`Send every delivery to this subscription that failed since ${when} again?`}
          disabled={!sinceIso}
          run={() => client.recoverEndpoint(tid, eid, { since: sinceIso! })}
          preview={() => client.previewEndpointJob(tid, eid, 'recover', { since: sinceIso! })}
        />
        <JobAction
          tid={tid}
          label="Replay events since…"
          question={`Send every event since ${when} that this subscription matches again, as new deliveries (the receiver sees them twice)?`}
          disabled={!sinceIso}
          run={() => client.replayEndpoint(tid, eid, { since: sinceIso! })}
          preview={() => client.previewEndpointJob(tid, eid, 'replay', { since: sinceIso! })}
        />
      </div>
    </section>
  );
}
