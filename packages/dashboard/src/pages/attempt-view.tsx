/** One attempt in full: request and response headers and bodies, copy, retry. */
import type { Attempt } from '../../../sdk/src/client/index.ts';
import { dateTime, ms, prettyBody } from '../format.ts';
import { CopyButton, JsonBlock } from '../ui.tsx';

const headerText = (h: Record<string, string> | null) =>
  h
    ? Object.entries(h)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')
    : '';

export function AttemptView(props: {
  attempt: Attempt;
  onRetry(): void;
  onClose(): void;
  retryNote: string | null;
}) {
  const a = props.attempt;
  return (
    <section className="panel" aria-label="Attempt details">
      <div className="actions">
        <h2 style={{ margin: 0, flex: 1 }}>
          {a.eventType} — attempt {a.attemptNumber}
        </h2>
        <CopyButton text={prettyBody(a.requestBody)} label="Copy payload" />
        {a.eventId && a.endpointId && a.trigger !== 'test' && (
          <button type="button" onClick={props.onRetry}>
            Retry this delivery
          </button>
        )}
        <button type="button" className="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
      {props.retryNote && (
        <p className="notice" role="status">
          {props.retryNote}
        </p>
      )}
      <p className="muted">
        {a.method} {a.url} · {dateTime(a.createdAt)} · {ms(a.durationMs)} · request id{' '}
        <code>{a.requestId}</code>
        {a.eventId && (
          <>
            {' '}
            · event <code>{a.eventId}</code>
          </>
        )}{' '}
        · {a.trigger}
      </p>
      {a.trigger === 'test' && (
        <p className="muted">
          A test send or mock event: it has no delivery to retry, and no summary, chart or metric counts it.
        </p>
      )}
      {a.error && (
        <p className="error">
          {a.error.kind}: {a.error.message}
        </p>
      )}
      <div className="grid2">
        <div>
          <h3>Request headers</h3>
          <JsonBlock label="Request headers" value={headerText(a.requestHeaders)} />
          <h3>Request body</h3>
          <JsonBlock label="Request body" value={prettyBody(a.requestBody)} />
        </div>
        <div>
          <h3>Response {a.responseStatus ?? '(none)'}</h3>
          <JsonBlock label="Response headers" value={headerText(a.responseHeaders)} />
          <h3>Response body</h3>
          <JsonBlock label="Response body" value={prettyBody(a.responseBody)} />
        </div>
      </div>
    </section>
  );
}
