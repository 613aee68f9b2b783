/**
 * One attempt in full, in a drawer: request and response headers and
 * bodies, copy, retry. On wide screens it sits beside the log, which makes
 * room for it, and the log stays usable (a non-modal dialog); on narrower
 * ones it covers the page, and on phones it is a full-screen sheet (modal:
 * the page behind is inert). Opening moves focus to its title; Escape or
 * Close closes it, and the page then gives focus back to the row's button.
 */
import { useEffect, useRef } from 'react';
import type { Attempt, Retried } from '../../../sdk/src/client/index.ts';
import { dateTime, ms, prettyBody } from '../format.ts';
import { CopyButton, ErrorBox, JsonBlock } from '../ui.tsx';
import { RetryResult } from './retry-result.tsx';

/** What "Retry this delivery" came to, for the attempt it was asked from. */
export interface RetryOutcome {
  attemptId: string;
  result: Retried | null;
  /** Why the API refused it, in words. */
  refused: string | null;
}

const headerText = (h: Record<string, string> | null) =>
  h
    ? Object.entries(h)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')
    : '';

export function AttemptDrawer(props: {
  tid: string;
  /** Null while an attempt named by the address is loading. */
  attempt: Attempt | null;
  error: unknown;
  /** Covering the page (narrow screens): modal, so the page behind cannot be reached. */
  modal: boolean;
  onClose(): void;
  onRetry(a: Attempt): void;
  retried: RetryOutcome | null;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  const { modal } = props;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (modal) d.showModal();
    else d.show();
    return () => d.close();
  }, [modal]);

  const shownId = props.attempt?.id ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves each time another attempt is shown
  useEffect(() => {
    title.current?.focus();
  }, [shownId]);

  // A non-modal dialog gets no cancel event: Escape closes it wherever focus is on the page.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const a = props.attempt;
  return (
    <dialog
      ref={dialog}
      id="attempt-drawer"
      className={`drawer${modal ? ' sheet' : ''}`}
      aria-labelledby="attempt-drawer-title"
      onCancel={(e) => {
        e.preventDefault();
        close.current();
      }}
    >
      <div className="drawer-head">
        <h2 id="attempt-drawer-title" ref={title} tabIndex={-1}>
          {a ? `${a.eventType} — attempt ${a.attemptNumber}` : 'Attempt'}
        </h2>
        <button type="button" className="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
      <ErrorBox error={props.error} />
      {!a && !props.error && <p className="muted">Loading…</p>}
      {a && (
        <AttemptDetails
          tid={props.tid}
          a={a}
          onRetry={() => props.onRetry(a)}
          retried={props.retried?.attemptId === a.id ? props.retried : null}
        />
      )}
    </dialog>
  );
}

function AttemptDetails(props: { tid: string; a: Attempt; onRetry(): void; retried: RetryOutcome | null }) {
  const { a, onRetry, retried } = props;
  // A broker's attempt was a message, not an HTTP request.
  const http = /^https?:/i.test(a.url) || a.responseStatus !== null;
  return (
    <section aria-label="Attempt details">
      <div className="actions">
        <CopyButton text={prettyBody(a.requestBody)} label="Copy payload" />
        {a.eventId && a.endpointId && a.trigger !== 'test' && (
          <button type="button" onClick={onRetry}>
            Retry this delivery
          </button>
        )}
      </div>
      {retried?.result && <RetryResult tid={props.tid} result={retried.result} />}
      {retried?.refused && (
        <p className="error" role="status">
          {retried.refused}
        </p>
      )}
      <p className="muted drawer-facts">
        <span className={`badge ${a.succeeded ? 'succeeded' : 'failed'}`}>
          {a.succeeded ? 'succeeded' : 'failed'}
        </span>{' '}
        {http && `${a.method} `}
        {a.url} · {dateTime(a.createdAt)} · {ms(a.durationMs)} · request id <code>{a.requestId}</code>
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
      <h3>{http ? 'Request headers' : 'Message headers'}</h3>
      <JsonBlock label="Request headers" value={headerText(a.requestHeaders)} />
      <h3>{http ? 'Request body' : 'Message body'}</h3>
      <JsonBlock label="Request body" value={prettyBody(a.requestBody)} />
      {a.responseStatus === null && a.succeeded ? (
        <>
          {/* A broker has no HTTP status: what it answered (a confirm, a stream id) is the outcome. */}
          <h3>Broker answer</h3>
          <JsonBlock label="Broker answer" value={a.responseBody ?? ''} />
        </>
      ) : a.responseStatus === null ? (
        <>
          <h3>Response</h3>
          <p className="muted">No answer{a.error ? `: ${a.error.kind}, ${a.error.message}` : ''}.</p>
        </>
      ) : (
        <>
          <h3>Response {a.responseStatus}</h3>
          <JsonBlock label="Response headers" value={headerText(a.responseHeaders)} />
          <h3>Response body</h3>
          <JsonBlock label="Response body" value={prettyBody(a.responseBody)} />
        </>
      )}
    </section>
  );
}
