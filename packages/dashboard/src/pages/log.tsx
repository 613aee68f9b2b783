/**
 * The delivery log: summary cards and a table for the current filters,
 * paged by cursor ("Load more"), with new attempts polled in every few
 * seconds so the page stays live without a reload. Test sends are shown
 * only when the trigger filter asks for them (log-filters.tsx).
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { Attempt, AttemptFilter, AttemptSummary } from '../../../sdk/src/client/index.ts';
import { dateTime, ms } from '../format.ts';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, errorText, useLoad } from '../ui.tsx';
import { AttemptView } from './attempt-view.tsx';
import { JobAction, RecoveryPanel } from './jobs.tsx';
import { FilterForm, type Filters, NO_FILTERS, testSendsOnly, toApi } from './log-filters.tsx';

const PAGE = 100;
const POLL_MS = 3000;

export function LogPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const endpoints = useLoad(() => client.listEndpoints(tid, { limit: 250 }), [tid]);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<AttemptFilter>({});
  const [rows, setRows] = useState<Attempt[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [summary, setSummary] = useState<AttemptSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Attempt | null>(null);
  const [retryNote, setRetryNote] = useState<string | null>(null);
  const rowsRef = useRef<Attempt[]>([]);
  rowsRef.current = rows;

  const load = useCallback(
    async (filter: AttemptFilter) => {
      setLoading(true);
      setError(null);
      try {
        const [page, sum] = await Promise.all([
          client.listAttempts(tid, { ...filter, limit: PAGE }),
          client.summarizeAttempts(tid, filter),
        ]);
        setRows(page.data);
        setCursor(page.nextCursor);
        setSummary(sum);
      } catch (err) {
        setError(err);
        setRows([]);
        setSummary(null);
      } finally {
        setLoading(false);
      }
    },
    [client, tid],
  );

  useEffect(() => {
    void load(applied);
  }, [load, applied]);

  // New attempts: ask for those at or after the newest shown, keep the ones not seen yet.
  useEffect(() => {
    if (applied.until) return;
    const timer = setInterval(async () => {
      const newest = rowsRef.current[0];
      try {
        const since = newest ? newest.createdAt : applied.since;
        const page = await client.listAttempts(tid, { ...applied, ...(since ? { since } : {}), limit: PAGE });
        const seen = new Set(rowsRef.current.map((r) => r.id));
        const fresh = page.data.filter((a) => !seen.has(a.id));
        if (fresh.length > 0) setRows((current) => [...fresh, ...current]);
        setSummary(await client.summarizeAttempts(tid, applied));
      } catch {
        // A missed poll is retried at the next tick; the table keeps what it has.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [client, tid, applied]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await client.listAttempts(tid, { ...applied, limit: PAGE, cursor });
      setRows((current) => [...current, ...page.data]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setSelected(null);
    setApplied(toApi(draft));
  };

  const retry = async (a: Attempt) => {
    if (!a.eventId || !a.endpointId) return;
    setRetryNote(null);
    try {
      const r = await client.retryEvent(tid, a.eventId, { endpointId: a.endpointId });
      setRetryNote(
        `Retry queued (${r.deliveries.length} delivery). The new attempt appears in the log shortly.`,
      );
    } catch (err) {
      setRetryNote(`Retry refused: ${errorText(err)}`);
    }
  };

  const endpointName = (id: string | null) =>
    endpoints.data?.data.find((e) => e.id === id)?.name || id || '—';

  return (
    <div>
      <h1>Delivery log</h1>
      <FilterForm
        draft={draft}
        setDraft={setDraft}
        endpoints={endpoints.data?.data ?? []}
        onApply={apply}
        onClear={() => {
          setDraft(NO_FILTERS);
          setApplied({});
        }}
      />

      {summary && testSendsOnly(applied) && (
        <p className="muted" role="note">
          Test sends and mock events are listed here only because the trigger filter asks for them; no summary
          or chart ever counts them.
        </p>
      )}
      {summary && !testSendsOnly(applied) && (
        <section className="cards" aria-label="Summary">
          <Card label="Total" value={summary.total} />
          <Card label="Succeeded" value={summary.succeeded} tone="ok" />
          <Card label="Failed" value={summary.failed} tone={summary.failed ? 'bad' : ''} />
          <Card label="Pending" value={summary.pending} />
        </section>
      )}
      <div className="actions">
        <JobAction
          key={JSON.stringify(applied)}
          tid={tid}
          label="Retry failed deliveries matching these filters"
          question={`Retry the failed deliveries behind the ${summary?.failed ?? ''} failed attempts matching these filters? Deliveries that succeeded since are left alone.`}
          disabled={!summary || summary.failed === 0}
          run={() => client.retryAttempts(tid, applied)}
        />
      </div>
      {applied.endpointId && <RecoveryPanel key={applied.endpointId} tid={tid} eid={applied.endpointId} />}
      <ErrorBox error={error} />

      {selected && (
        <AttemptView
          attempt={selected}
          retryNote={retryNote}
          onRetry={() => retry(selected)}
          onClose={() => setSelected(null)}
        />
      )}

      {!loading && rows.length === 0 && !error && (
        <Empty>No attempts match these filters. Send an event, or widen the filters.</Empty>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Attempts">
            <thead>
              <tr>
                <th>Event type</th>
                <th>Status</th>
                <th>Response</th>
                <th>Date and time</th>
                <th>Duration</th>
                <th>Attempt</th>
                <th>Endpoint</th>
                <th>Request id</th>
                <th>
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-attempt={a.id}>
                  <td>{a.eventType}</td>
                  <td>
                    <span className={`badge ${a.succeeded ? 'succeeded' : 'failed'}`}>
                      {a.succeeded ? 'succeeded' : 'failed'}
                    </span>
                    {a.trigger !== 'scheduled' && <span className="muted"> {a.trigger}</span>}
                  </td>
                  <td>{a.responseStatus ?? (a.error ? a.error.kind : '—')}</td>
                  <td>{dateTime(a.createdAt)}</td>
                  <td>{ms(a.durationMs)}</td>
                  <td>{a.attemptNumber}</td>
                  <td>{endpointName(a.endpointId)}</td>
                  <td>
                    <code>{a.requestId}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setRetryNote(null);
                        setSelected(a);
                      }}
                    >
                      View
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <div className="actions">
          <button type="button" className="secondary" onClick={more}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
