/**
 * What a retry came to, said honestly: how many deliveries go out now and,
 * for the rest, why not (an open circuit, a paused, disabled or unverified
 * endpoint, already pending, in flight), each with a button for the action
 * that unblocks it. Shared by every retry in the dashboard: retry one (the
 * log's "Retry this delivery"), bulk retry and the recovery jobs, and the
 * endpoint's own "Retry now" and "Reset circuit".
 *
 * Use: `<RetryResult tid={tid} result={await client.retryEvent(…)} />`, or
 * `<RetryReportList tid report />` inside a message of your own.
 */
import { useState } from 'react';
import type { NotQueuedGroup, RetryReport, UnblockAction } from '../../../sdk/src/client/index.ts';
import { dateTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { errorText } from '../ui.tsx';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const deliveries = (n: number) => plural(n, 'delivery', 'deliveries');

/** When a time is now or past, "now"; else the local time. */
const whenText = (iso: string | null) =>
  iso === null || Date.parse(iso) <= Date.now() ? 'now' : dateTime(iso);

/** One group in a sentence: how many, held by what. */
export function groupText(g: NotQueuedGroup): string {
  const n = deliveries(g.count);
  const [wait, are, were] = g.count === 1 ? ['waits', 'is', 'was'] : ['wait', 'are', 'were'];
  const name = g.endpointName || g.endpointId;
  switch (g.reason) {
    case 'circuit_open':
      return `${n} ${wait} behind the open circuit of ${name}; next probe ${whenText(g.nextProbeAt)}.`;
    case 'endpoint_paused':
      return `${n} ${wait}: ${name} is paused.`;
    case 'endpoint_disabled':
      return `${n} ${wait}: ${name} is disabled.`;
    case 'endpoint_pending_verification':
      return `${n} ${wait}: ${name} has not passed its ownership challenge yet.`;
    case 'endpoint_deleted':
      return `${n} belonged to a deleted endpoint and ${are} not sent.`;
    case 'already_pending':
      return `${n} to ${name} ${were} already pending (next attempt ${whenText(g.nextAttemptAt)}).`;
    case 'in_flight':
      return `${n} to ${name} ${are} being attempted right now.`;
    case 'finished':
      return `${n} to ${name} ${are} not failed (succeeded, cancelled or dropped) and ${were} left alone.`;
  }
}

/** The whole report in one line, e.g. for a confirmation. */
export function reportText(r: RetryReport): string {
  const head = r.queued > 0 ? `${deliveries(r.queued)} go out now.` : 'Nothing goes out now.';
  return [head, ...r.notQueued.map(groupText)].join(' ');
}

export const ACTION_LABEL: Record<UnblockAction, string> = {
  reset_circuit: 'Reset circuit',
  resume_endpoint: 'Resume endpoint',
  enable_endpoint: 'Enable endpoint',
  verify_endpoint: 'Verify endpoint',
  retry_now: 'Retry now',
};

/** Runs an unblocking action on an endpoint and says, in a sentence, what came of it. */
export function useUnblock(tid: string) {
  const { client } = useSession();
  return async (action: UnblockAction, endpointId: string): Promise<string> => {
    switch (action) {
      case 'reset_circuit': {
        const r = await client.resetCircuit(tid, endpointId);
        return `Circuit reset. ${reportText(r)}`;
      }
      case 'retry_now': {
        const r = await client.retryEndpointNow(tid, endpointId);
        return `Retried now. ${reportText(r)}`;
      }
      case 'resume_endpoint':
      case 'enable_endpoint':
        await client.updateEndpoint(tid, endpointId, { status: 'active' });
        return 'The endpoint is active again: its waiting deliveries go out now.';
      case 'verify_endpoint': {
        const r = await client.verifyEndpoint(tid, endpointId);
        return r.verified
          ? 'Verified: the endpoint is active and its waiting deliveries go out now.'
          : `The ownership challenge failed: ${r.error ?? 'no valid answer'}.`;
      }
    }
  };
}

/** A button for one action, with what it did beside it. */
export function UnblockButton(props: {
  tid: string;
  action: UnblockAction;
  endpointId: string;
  endpointName: string;
  onDone?: () => void;
}) {
  const unblock = useUnblock(props.tid);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const label = ACTION_LABEL[props.action];
  const click = async () => {
    setBusy(true);
    setNote(null);
    try {
      setNote(await unblock(props.action, props.endpointId));
      props.onDone?.();
    } catch (err) {
      setNote(`${label} failed: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="secondary small"
        disabled={busy}
        aria-label={`${label}: ${props.endpointName || props.endpointId}`}
        onClick={click}
      >
        {label}
      </button>
      {note && (
        <span className="muted action-note" role="status">
          {note}
        </span>
      )}
    </>
  );
}

/** The groups as a list, each with its action. */
export function RetryReportList(props: { tid: string; report: RetryReport; onChanged?: () => void }) {
  const { notQueued } = props.report;
  if (notQueued.length === 0) return null;
  return (
    <ul className="retry-reasons" aria-label="Why the rest wait">
      {notQueued.map((g) => (
        <li key={`${g.reason} ${g.endpointId}`} data-reason={g.reason}>
          <span>{groupText(g)}</span>{' '}
          {g.action && (
            <UnblockButton
              tid={props.tid}
              action={g.action}
              endpointId={g.endpointId}
              endpointName={g.endpointName}
              {...(props.onChanged ? { onDone: props.onChanged } : {})}
            />
          )}
        </li>
      ))}
    </ul>
  );
}

/** A retry's answer: "Retry queued: …" or what holds it, with the unblocking actions. */
export function RetryResult(props: {
  tid: string;
  result: RetryReport;
  /** Said first, e.g. "Retry of evt_…". */
  title?: string;
  onChanged?: () => void;
}) {
  const { queued, notQueued } = props.result;
  const waiting = notQueued.reduce((n, g) => n + g.count, 0);
  let head: string;
  if (queued > 0) head = `Retry queued: ${deliveries(queued)} ${queued === 1 ? 'goes' : 'go'} out now.`;
  else if (waiting > 0) head = 'Nothing was sent: every delivery waits.';
  else head = 'Nothing to retry.';
  return (
    <section
      className={`retry-result ${queued === 0 && waiting > 0 ? 'blocked' : ''}`}
      aria-label="Retry result"
    >
      <p role="status">
        {props.title ? `${props.title}: ` : ''}
        {head}
      </p>
      <RetryReportList
        tid={props.tid}
        report={props.result}
        {...(props.onChanged ? { onChanged: props.onChanged } : {})}
      />
    </section>
  );
}
