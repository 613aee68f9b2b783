/**
 * What a Test Connection, mock event or ownership challenge answered, shown
 * where it was asked for: test sends are no part of the delivery log.
 */
import type { TestResult, VerifyResult } from '../../../sdk/src/client/index.ts';
import { ms, prettyBody } from '../format.ts';
import { JsonBlock } from '../ui.tsx';

export function TestResultView({ title, result }: { title: string; result: TestResult }) {
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  return (
    <div className="panel" role="status" aria-label="Test result">
      <h3>{title}</h3>
      {result.status === null ? (
        <p className="error">
          The endpoint could not be reached
          {result.error ? `: ${result.error.message} (${result.error.kind})` : ''}. Check the URL and that the
          server is up and reachable from Herald.
        </p>
      ) : (
        <p>
          <span className={`badge ${ok ? 'succeeded' : 'failed'}`}>HTTP {result.status}</span> in{' '}
          {ms(result.latencyMs)}
          {result.error ? ` — ${result.error.message}` : ''}
        </p>
      )}
      <p className="muted">
        Request id <code>{result.requestId}</code> (sent as <code>x-request-id</code>). Test sends are not in
        the delivery log or its counts; its trigger filter "test sends only" lists them.
      </p>
      {result.responseBody !== null && (
        <JsonBlock label="Response body" value={prettyBody(result.responseBody)} />
      )}
    </div>
  );
}

export function VerifyResultView({ result }: { result: VerifyResult }) {
  return (
    <div className={result.verified ? 'notice' : 'error'} role="status">
      {result.verified
        ? `Ownership verified: the endpoint answered the challenge. Status: ${result.status}.`
        : `Ownership not verified: ${result.error ?? 'the endpoint did not answer the challenge'}. Status: ${result.status}.`}
    </div>
  );
}
