/**
 * The operator's overview: the delivery queue across tenants, and per tenant
 * what the last hour and day of the delivery log say.
 */
import type { AttemptSummary, Endpoint, Tenant } from '../../../sdk/src/client/index.ts';
import { duration, percent } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, Loading, useLoad } from '../ui.tsx';

interface TenantHealth {
  tenant: Tenant;
  lastHour: AttemptSummary;
  lastDay: AttemptSummary;
  endpoints: Endpoint[];
}

export function OverviewPage() {
  const { client } = useSession();
  const { data, error, loading } = useLoad(async () => {
    const [tenants, queue] = await Promise.all([client.listTenants({ limit: 100 }), client.getQueue()]);
    const now = Date.now();
    const hourAgo = new Date(now - 3_600_000).toISOString();
    const dayAgo = new Date(now - 86_400_000).toISOString();
    const health = await Promise.all(
      tenants.data.map(
        async (tenant): Promise<TenantHealth> => ({
          tenant,
          lastHour: await client.summarizeAttempts(tenant.id, { since: hourAgo }),
          lastDay: await client.summarizeAttempts(tenant.id, { since: dayAgo }),
          endpoints: (await client.listEndpoints(tenant.id, { limit: 250 })).data,
        }),
      ),
    );
    return { health, queue };
  }, []);

  if (loading && !data) return <Loading />;
  if (error) return <ErrorBox error={error} />;
  const rows = data?.health ?? [];
  const queue = data?.queue;
  const sum = (pick: (t: TenantHealth) => number) => rows.reduce((n, t) => n + pick(t), 0);
  const hourTotal = sum((t) => t.lastHour.total);
  const dayTotal = sum((t) => t.lastDay.total);
  const daySucceeded = sum((t) => t.lastDay.succeeded);
  const all = rows.flatMap((t) => t.endpoints);
  const disabled = all.filter((e) => e.status === 'disabled');
  const failingTenants = rows.filter((t) => t.lastHour.failed > 0 && t.lastHour.succeeded === 0);

  return (
    <div>
      <h1>Overview</h1>
      <div className="cards">
        <Card label="Delivery rate (last hour)" value={`${(hourTotal / 60).toFixed(1)}/min`} />
        <Card
          label="Success rate (24 h)"
          value={percent(daySucceeded, dayTotal)}
          tone={dayTotal && daySucceeded / dayTotal < 0.95 ? 'bad' : 'ok'}
        />
        <Card label="Backlog (pending deliveries)" value={queue?.pending ?? '—'} />
        <Card label="In flight" value={queue?.inFlight ?? '—'} />
        <Card
          label="Oldest pending delivery waiting"
          value={queue ? duration(queue.oldestPendingAgeSeconds) : '—'}
          tone={queue && queue.oldestPendingAgeSeconds > 300 ? 'bad' : ''}
        />
        <Card label="Disabled endpoints" value={disabled.length} tone={disabled.length ? 'bad' : ''} />
        <Card label="Paused endpoints" value={all.filter((e) => e.status === 'paused').length} />
      </div>
      <h2>Operational notices</h2>
      {disabled.length === 0 && failingTenants.length === 0 ? (
        <Empty>No notices: no endpoint is disabled and no tenant is failing every delivery.</Empty>
      ) : (
        <ul>
          {disabled.map((e) => (
            <li key={e.id}>
              Endpoint <Link to={`/tenants/${e.tenantId}/subscriptions/${e.id}`}>{e.name || e.url}</Link> of{' '}
              {e.tenantId} is disabled{e.disabledReason ? `: ${e.disabledReason}` : ''}.
            </li>
          ))}
          {failingTenants.map((t) => (
            <li key={t.tenant.id}>
              Every attempt of tenant <Link to={`/tenants/${t.tenant.id}/log`}>{t.tenant.name}</Link> failed
              in the last hour ({t.lastHour.failed}).
            </li>
          ))}
        </ul>
      )}
      <h2>Tenants</h2>
      {rows.length === 0 ? (
        <Empty>
          No tenants yet. <Link to="/tenants">Create one</Link>.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Tenant</th>
                <th>Attempts (24 h)</th>
                <th>Success rate</th>
                <th>Pending</th>
                <th>Endpoints</th>
                <th>Failing / disabled</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.tenant.id}>
                  <td>
                    <Link to={`/tenants/${encodeURIComponent(t.tenant.id)}/subscriptions`}>
                      {t.tenant.name}
                    </Link>
                  </td>
                  <td>{t.lastDay.total}</td>
                  <td>{percent(t.lastDay.succeeded, t.lastDay.total)}</td>
                  <td>{t.lastDay.pending}</td>
                  <td>{t.endpoints.length}</td>
                  <td>
                    {t.lastHour.failed} failed (1 h) /{' '}
                    {t.endpoints.filter((e) => e.status === 'disabled').length} disabled
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        Backlog and waiting time from the delivery queue; rates from the delivery log summaries of each
        tenant.
      </p>
    </div>
  );
}
