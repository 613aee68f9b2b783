/**
 * An endpoint's health where people look for it: the circuit badge (with
 * since when and the next probe), the last error, the backlog and the next
 * attempt, the 24 h success rate, and the two actions that get stuck
 * deliveries moving: Retry now and Reset circuit. Used by the subscriptions
 * list (one row each) and the subscription's own page (a panel, kept live).
 */
import { useState } from 'react';
import type {
  CircuitHealth,
  EndpointHealth,
  NotQueuedReason,
  RetryReport,
} from '../../../sdk/src/client/index.ts';
import { dateTime, percent } from '../format.ts';
import { useSession } from '../session.tsx';
import { ErrorBox, errorText } from '../ui.tsx';
import { RetryResult } from './retry-result.tsx';
import { usePolling } from './use-polling.tsx';

export const HEALTH_POLL_MS = 5000;

const CIRCUIT_LABEL: Record<CircuitHealth['state'], string> = {
  closed: 'closed',
  open: 'open',
  half_open: 'half-open',
};

/** "open since 12:00:01, next probe 12:10:01". */
export function circuitDetail(c: CircuitHealth): string {
  if (c.state === 'closed') return c.failures > 0 ? `${c.failures} failed in a row` : '';
  const parts = [c.since ? `since ${dateTime(c.since)}` : ''];
  if (c.state === 'half_open') parts.push('a probe is deciding');
  else
    parts.push(
      c.nextProbeAt && Date.parse(c.nextProbeAt) > Date.now()
        ? `next probe ${dateTime(c.nextProbeAt)}`
        : 'probe due now',
    );
  parts.push(`${c.failures} failed in a row`);
  return parts.filter(Boolean).join(', ');
}

/** What holds an endpoint's deliveries, and what sends them. */
const BLOCKED_TEXT: Partial<Record<NotQueuedReason, string>> = {
  circuit_open:
    'Deliveries wait behind the open circuit until its next probe. Fixed the receiver? Reset circuit sends them now.',
  endpoint_paused: 'Deliveries wait until the subscription is activated again.',
  endpoint_disabled: 'The subscription is disabled: fix the receiver, then activate it to send what waits.',
  endpoint_pending_verification: 'Deliveries wait until the ownership challenge succeeds.',
};

export function CircuitBadge({ circuit }: { circuit: CircuitHealth }) {
  const tone = circuit.state === 'closed' ? (circuit.failures > 0 ? 'warn' : 'ok') : 'bad';
  return <span className={`badge circuit ${tone}`}>circuit {CIRCUIT_LABEL[circuit.state]}</span>;
}

export function rateText(h: EndpointHealth): string {
  return h.successRate24h === null ? '—' : percent(h.last24h.succeeded, h.last24h.attempts);
}

export function backlogText(h: EndpointHealth): string {
  if (h.pending === 0) return 'none pending';
  const next = h.nextAttemptAt
    ? Date.parse(h.nextAttemptAt) <= Date.now()
      ? 'next attempt now'
      : `next attempt ${dateTime(h.nextAttemptAt)}`
    : 'waiting (not scheduled)';
  return `${h.pending} pending, ${next}`;
}

/** Retry now and Reset circuit for one endpoint; the answer is shown with its reasons. */
export function HealthActions(props: {
  tid: string;
  health: EndpointHealth;
  onChanged(): void;
  compact?: boolean;
}) {
  const { client } = useSession();
  const { tid, health } = props;
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ title: string; report: RetryReport } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const name = health.name || health.endpointId;
  const act = async (title: string, run: () => Promise<RetryReport>) => {
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      setAnswer({ title, report: await run() });
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const circuitQuiet = health.circuit.state === 'closed' && health.circuit.failures === 0;
  return (
    <div className="health-actions">
      <button
        type="button"
        className="secondary small"
        disabled={busy || health.pending === 0}
        aria-label={`Retry now: ${name}`}
        onClick={() => act('Retry now', () => client.retryEndpointNow(tid, health.endpointId))}
      >
        Retry now
      </button>
      <button
        type="button"
        className="secondary small"
        disabled={busy || circuitQuiet}
        aria-label={`Reset circuit: ${name}`}
        onClick={() => act('Circuit reset', () => client.resetCircuit(tid, health.endpointId))}
      >
        Reset circuit
      </button>
      {answer && (
        <RetryResult tid={tid} title={answer.title} result={answer.report} onChanged={props.onChanged} />
      )}
      {error !== null &&
        (props.compact ? (
          <span className="error-inline" role="alert">
            {errorText(error)}
          </span>
        ) : (
          <ErrorBox error={error} />
        ))}
    </div>
  );
}

/** The subscription page's health panel, refreshed every few seconds while the tab is visible. */
export function EndpointHealthPanel({ tid, eid }: { tid: string; eid: string }) {
  const { client } = useSession();
  const polled = usePolling(() => client.getEndpointHealth(tid, eid), HEALTH_POLL_MS, [client, tid, eid]);
  const h = polled.data;
  return (
    <section className="panel health-panel" aria-label="Health">
      <h2>Health</h2>
      {!h && polled.loading && <p className="muted">Loading…</p>}
      {!h && polled.error !== null && <ErrorBox error={polled.error} />}
      {h && (
        <>
          <dl className="health-facts">
            <dt>Circuit</dt>
            <dd>
              <CircuitBadge circuit={h.circuit} /> <span className="muted">{circuitDetail(h.circuit)}</span>
            </dd>
            <dt>Last error</dt>
            <dd>
              {h.lastError ? (
                <>
                  <code>{h.lastError.kind}</code> {h.lastError.message}{' '}
                  <span className="muted">({dateTime(h.lastError.at)})</span>
                </>
              ) : (
                'none recently'
              )}
            </dd>
            <dt>Last attempt</dt>
            <dd>{h.lastAttemptAt ? dateTime(h.lastAttemptAt) : 'never'}</dd>
            <dt>Backlog</dt>
            <dd>
              {backlogText(h)}
              {h.oldestPendingAt && (
                <span className="muted"> (oldest since {dateTime(h.oldestPendingAt)})</span>
              )}
              {h.inFlight > 0 && <span className="muted">; {h.inFlight} in flight</span>}
            </dd>
            <dt>Retries used up</dt>
            <dd>{h.exhausted === 0 ? 'none' : `${h.exhausted} failed deliveries wait for a manual retry`}</dd>
            <dt>Success rate (24 h)</dt>
            <dd>
              {rateText(h)} <span className="muted">({h.last24h.attempts} attempts)</span>
            </dd>
          </dl>
          {h.blocked && (
            <p className="notice" role="note">
              {BLOCKED_TEXT[h.blocked.reason] ?? h.blocked.message}
            </p>
          )}
          <HealthActions tid={tid} health={h} onChanged={polled.reload} />
        </>
      )}
    </section>
  );
}
