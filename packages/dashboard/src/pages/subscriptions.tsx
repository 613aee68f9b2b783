import type { AttemptSummary, Endpoint } from '../../../sdk/src/client/index.ts';
import { percent } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, Loading, useLoad } from '../ui.tsx';

export function SubscriptionsPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const base = `/tenants/${encodeURIComponent(tid)}/subscriptions`;
  const { data, error, loading } = useLoad(async () => {
    const endpoints = await client.listEndpoints(tid, { limit: 250 });
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const rows: [Endpoint, AttemptSummary][] = await Promise.all(
      endpoints.data.map(
        async (e) => [e, await client.summarizeAttempts(tid, { endpointId: e.id, since })] as const,
      ),
    ).then((r) => r.map(([e, s]) => [e, s]));
    return rows;
  }, [tid]);

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
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>URL</th>
                <th>Status</th>
                <th>Events</th>
                <th>Success rate (24 h)</th>
              </tr>
            </thead>
            <tbody>
              {data.map(([e, s]) => (
                <tr key={e.id}>
                  <td>
                    <Link to={`${base}/${encodeURIComponent(e.id)}`}>{e.name || e.id}</Link>
                  </td>
                  <td className="wrap">{e.url}</td>
                  <td>
                    <span className={`badge ${e.status}`}>{e.status.replace('_', ' ')}</span>
                  </td>
                  <td className="wrap">{e.eventTypes === null ? 'all events' : e.eventTypes.join(', ')}</td>
                  <td>
                    {percent(s.succeeded, s.total)} <span className="muted">({s.total} attempts)</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
