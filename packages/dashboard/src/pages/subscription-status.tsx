/**
 * A saved subscription's state: its status with Pause / Activate, and the
 * ownership challenge. Each answer sits beside its button and is dropped
 * when the status changes again, so no old "active" stands next to a
 * "paused" badge.
 */
import { useState } from 'react';
import type { Endpoint, VerifyResult } from '../../../sdk/src/client/index.ts';
import { kindOfUrl } from '../destinations.ts';
import { dateTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { ErrorBox } from '../ui.tsx';
import { VerifyResultView } from './test-result.tsx';

export function StatusPanel(props: {
  tid: string;
  eid: string;
  endpoint: Endpoint;
  onChange(endpoint: Endpoint): void;
}) {
  const { client } = useSession();
  const { tid, eid, endpoint } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [verify, setVerify] = useState<VerifyResult | null>(null);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      await what();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (status: 'active' | 'paused') =>
    act(async () => {
      props.onChange(await client.updateEndpoint(tid, eid, { status }));
      setVerify(null);
      setNote(status === 'active' ? 'Activated.' : 'Paused: events wait until you activate it again.');
    });
  const runChallenge = () =>
    act(async () => {
      setVerify(null);
      const result = await client.verifyEndpoint(tid, eid);
      props.onChange(await client.getEndpoint(tid, eid));
      setVerify(result);
    });

  return (
    <section className="panel status-panel" aria-label="Status">
      <div className="status-line">
        <span>
          Status: <span className={`badge ${endpoint.status}`}>{endpoint.status.replace('_', ' ')}</span>
          {endpoint.disabledReason && <span className="muted"> — {endpoint.disabledReason}</span>}
        </span>
        {endpoint.status === 'active' ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => setStatus('paused')}>
            Pause
          </button>
        ) : (
          <button type="button" className="secondary" disabled={busy} onClick={() => setStatus('active')}>
            Activate
          </button>
        )}
        {note && (
          <span className="muted" role="status">
            {note}
          </span>
        )}
      </div>
      {(kindOfUrl(endpoint.url) ?? 'http') === 'http' && (
        <div className="status-line">
          <span>
            Ownership: {endpoint.verifiedAt ? `verified ${dateTime(endpoint.verifiedAt)}` : 'not verified'}
          </span>
          <button type="button" className="secondary" disabled={busy} onClick={runChallenge}>
            Run ownership challenge
          </button>
        </div>
      )}
      {verify && <VerifyResultView result={verify} />}
      <ErrorBox error={error} />
    </section>
  );
}
