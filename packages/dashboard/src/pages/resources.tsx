/** Per-resource subscriptions: once any is set, the endpoint receives only those resources' events. */
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { ErrorBox, useLoad } from '../ui.tsx';

export function ResourcesPanel({ tid, eid }: { tid: string; eid: string }) {
  const { client } = useSession();
  const { data, error, reload } = useLoad(() => client.listResources(tid, eid, { limit: 250 }), [tid, eid]);
  const [rid, setRid] = useState('');
  const [actionError, setActionError] = useState<unknown>(null);
  const act = async (run: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await run();
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  // Not a <form>: this panel sits inside the subscription form.
  const subscribe = () => {
    if (rid.trim()) void act(() => client.subscribeResource(tid, eid, rid.trim())).then(() => setRid(''));
  };
  return (
    <fieldset>
      <legend>Resources</legend>
      <p className="muted">
        With no resource subscribed, every matching event is delivered; with some, only events about those
        resources.
      </p>
      <ErrorBox error={error ?? actionError} />
      {data && data.data.length > 0 && (
        <ul>
          {data.data.map((r) => (
            <li key={r.resourceId}>
              <code>{r.resourceId}</code>{' '}
              <button
                type="button"
                className="danger"
                onClick={() => act(() => client.unsubscribeResource(tid, eid, r.resourceId))}
              >
                Unsubscribe {r.resourceId}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <div>
          <label htmlFor="resource-id">Resource id</label>
          <input id="resource-id" value={rid} onChange={(e) => setRid(e.target.value)} placeholder="dev_42" />
        </div>
        <button type="button" className="secondary" onClick={subscribe}>
          Subscribe resource
        </button>
      </div>
    </fieldset>
  );
}
