/**
 * A tenant's subscriptions with their health, kept live: status, circuit
 * (since when, next probe), backlog and next attempt, last error and the 24 h
 * success rate, with Retry now and Reset circuit on each row. Two requests
 * per refresh, however many rows: the endpoints and their health, one page each.
 */
import type { Endpoint, EndpointHealth } from '../../../sdk/src/client/index.ts';
import { dateTime } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, Loading } from '../ui.tsx';
import {
  backlogText,
  CircuitBadge,
  circuitDetail,
  HEALTH_POLL_MS,
  HealthActions,
  rateText,
} from './endpoint-health.tsx';
import { usePolling } from './use-polling.tsx';

const LIMIT = 250;

export function SubscriptionsPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const base = `/tenants/${encodeURIComponent(tid)}/subscriptions`;
  const { data, error, loading, reload } = usePolling(
    async () => {
      const [endpoints, health] = await Promise.all([
        client.listEndpoints(tid, { limit: LIMIT }),
        client.listEndpointHealth(tid, { limit: LIMIT }),
      ]);
      const byId = new Map(health.data.map((h) => [h.endpointId, h]));
      return endpoints.data.map((e): [Endpoint, EndpointHealth | undefined] => [e, byId.get(e.id)]);
    },
    HEALTH_POLL_MS,
    [client, tid],
  );

  return (
    <div>
      <h1>Subscriptions</h1>
      <div className="actions">
        <Link to={`${base}/new`} className="button">
          New subscription
        </Link>
      </div>
      {loading && !data && <Loading />}
      <ErrorBox error={error} />
      {data && data.length === 0 && (
        <Empty>No subscriptions yet. Create one to start receiving webhooks.</Empty>
      )}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Subscriptions" className="stack">
            <thead>
              <tr>
                <th>Name</th>
                <th>URL</th>
                <th>Status</th>
                <th>Circuit</th>
                <th>Backlog</th>
                <th>Last error</th>
                <th>Success rate (24 h)</th>
                <th>Events</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map(([e, h]) => (
                <tr key={e.id} data-endpoint={e.id}>
                  <td data-label="Name">
                    <Link to={`${base}/${encodeURIComponent(e.id)}`}>{e.name || e.id}</Link>
                  </td>
                  <td data-label="URL" className="wrap">
                    {e.url}
                  </td>
                  <td data-label="Status">
                    <span className={`badge ${e.status}`}>{e.status.replace('_', ' ')}</span>
                  </td>
                  <td data-label="Circuit">
                    {h ? (
                      <>
                        <CircuitBadge circuit={h.circuit} />
                        {circuitDetail(h.circuit) && (
                          <div className="muted small-text">{circuitDetail(h.circuit)}</div>
                        )}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Backlog">{h ? backlogText(h) : '—'}</td>
                  <td data-label="Last error" className="wrap">
                    {h?.lastError ? (
                      <>
                        {h.lastError.message}
                        <div className="muted small-text">{dateTime(h.lastError.at)}</div>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Success rate (24 h)">
                    {h ? rateText(h) : '—'}{' '}
                    {h && <span className="muted">({h.last24h.attempts} attempts)</span>}
                  </td>
                  <td data-label="Events" className="wrap">
                    {e.eventTypes === null ? 'all events' : e.eventTypes.join(', ')}
                  </td>
                  <td>{h && <HealthActions tid={tid} health={h} onChanged={reload} compact />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
