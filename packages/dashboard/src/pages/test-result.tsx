/**
 * What a Test Connection, mock event or ownership challenge answered, shown
 * right under the button that asked (test sends are no part of the delivery
 * log). The form drops a result once it is stale: after an edit, or after
 * the subscription's status changed.
 */

import { useContext } from 'react';
import type { TestResult, VerifyResult } from '../../../sdk/src/client/index.ts';
import { withoutServiceName } from '../error-messages.ts';
import { ms, prettyBody } from '../format.ts';
import { SessionContext } from '../session.tsx';
import { JsonBlock } from '../ui.tsx';

/** The server's words, without its own name in a white-labelled portal. */
function useReadable(): (text: string) => string {
  const portal = useContext(SessionContext)?.portal ?? false;
  return portal ? withoutServiceName : (text) => text;
}

export function TestResultView({ title, result }: { title: string; result: TestResult }) {
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  // A broker (or the relay) has no HTTP status: no error means it took the message.
  const brokerOk = result.status === null && result.error === null;
  const readable = useReadable();
  return (
    <div className="panel test-result" role="status" aria-label="Test result">
      <h2 className="result-title">{title}</h2>
      {brokerOk ? (
        <p>
          <span className="badge succeeded">delivered</span> in {ms(result.latencyMs)}
        </p>
      ) : result.status === null ? (
        <p className="error">
          The endpoint could not be reached
          {result.error ? `: ${readable(result.error.message)} (${result.error.kind})` : ''}. Check the URL,
          and that the server is up and accepts requests from the internet.
        </p>
      ) : (
        <p>
          <span className={`badge ${ok ? 'succeeded' : 'failed'}`}>HTTP {result.status}</span> in{' '}
          {ms(result.latencyMs)}
          {result.error ? ` — ${readable(result.error.message)}` : ''}
        </p>
      )}
      <p className="muted">
        Request id <code>{result.requestId}</code> (sent as <code>x-request-id</code>). Test sends are not in
        the delivery log or its counts; its trigger filter "test sends only" lists them.
      </p>
      {result.responseBody !== null && (
        <JsonBlock
          label={result.status === null ? 'Broker answer' : 'Response body'}
          value={prettyBody(result.responseBody)}
        />
      )}
    </div>
  );
}

export function VerifyResultView({ result }: { result: VerifyResult }) {
  const readable = useReadable();
  return (
    <div className={result.verified ? 'notice' : 'error'} role="status">
      {result.verified
        ? 'Ownership verified: the endpoint answered the challenge.'
        : `Ownership not verified: ${readable(result.error ?? 'the endpoint did not answer the challenge')}.`}
    </div>
  );
}
