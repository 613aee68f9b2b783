/**
 * The operator's overview, kept live (refreshed every few seconds while the
 * tab is visible): the delivery queue across tenants, trends of the last
 * hour, and notices for what needs a person (open circuits, failing or
 * disabled endpoints, old backlogs, deliveries whose retries ran out), each
 * linking to where to act. Per refresh: the tenants and the queue, then two
 * requests per tenant (its endpoints' health and its last hour of stats).
 */
import type { EndpointHealth, QueueStats, Stats, Tenant } from '../../../sdk/src/client/index.ts';
import { dateTime, duration, percent } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, Loading } from '../ui.tsx';
import { noticesOf, type TenantHealth } from './overview-notices.ts';
import { Sparkline } from './sparkline.tsx';
import { usePolling } from './use-polling.tsx';

export const OVERVIEW_POLL_MS = 5000;
const HOUR_MS = 3_600_000;

interface Overview {
  rows: TenantHealth[];
  queue: QueueStats;
  now: number;
}

/** The buckets of every tenant's last hour added up, minute by minute. */
function trend(rows: TenantHealth[], pick: (b: Stats['buckets'][number]) => number): number[] {
  const out: number[] = [];
  for (const r of rows) {
    r.stats.buckets.forEach((b, i) => {
      out[i] = (out[i] ?? 0) + pick(b);
    });
  }
  return out;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** An hour's count per minute, with enough digits that a quiet hour is not "0.0". */
const perMinute = (hour: number) => `${(hour / 60).toFixed(hour > 0 && hour < 60 ? 2 : 1)}/min`;

export function OverviewPage() {
  const { client } = useSession();
  const polled = usePolling<Overview>(
    async () => {
      const [tenants, queue] = await Promise.all([client.listTenants({ limit: 100 }), client.getQueue()]);
      const now = Date.now();
      const range = { since: new Date(now - HOUR_MS).toISOString(), until: new Date(now).toISOString() };
      const rows = await Promise.all(
        tenants.data.map(async (tenant: Tenant): Promise<TenantHealth> => {
          const [health, stats] = await Promise.all([
            client.listEndpointHealth(tenant.id, { limit: 250 }),
            client.getTenantStats(tenant.id, { ...range, bucket: '1m' }),
          ]);
          return { tenant, health: health.data, stats };
        }),
      );
      return { rows, queue, now };
    },
    OVERVIEW_POLL_MS,
    [client],
  );

  const { data } = polled;
  if (!data) return polled.error ? <ErrorBox error={polled.error} /> : <Loading />;
  const { rows, queue } = data;
  const all: EndpointHealth[] = rows.flatMap((t) => t.health);
  const attempts = trend(rows, (b) => b.attempts);
  const failures = trend(rows, (b) => b.failed);
  const day = {
    attempts: sum(all.map((h) => h.last24h.attempts)),
    ok: sum(all.map((h) => h.last24h.succeeded)),
  };
  const open = all.filter((h) => h.circuit.state !== 'closed');
  const disabled = all.filter((h) => h.status === 'disabled');
  const notices = noticesOf(rows, data.now);

  return (
    <div>
      <h1>Overview</h1>
      {/* A failed refresh keeps the last numbers on screen, and says so. */}
      <ErrorBox error={polled.error} />
      <div className="cards">
        <Card label="Delivery rate (last hour)" value={perMinute(sum(attempts))} />
        <Card
          label="Success rate (24 h)"
          value={percent(day.ok, day.attempts)}
          tone={day.attempts && day.ok / day.attempts < 0.95 ? 'bad' : 'ok'}
        />
        <Card label="Backlog (pending deliveries)" value={queue.pending} />
        <Card label="In flight" value={queue.inFlight} />
        <Card
          label="Oldest pending delivery waiting"
          value={duration(queue.oldestPendingAgeSeconds)}
          tone={queue.oldestPendingAgeSeconds > 300 ? 'bad' : ''}
        />
        <Card label="Open circuits" value={open.length} tone={open.length ? 'bad' : ''} />
        <Card label="Disabled endpoints" value={disabled.length} tone={disabled.length ? 'bad' : ''} />
        <Card label="Paused endpoints" value={all.filter((h) => h.status === 'paused').length} />
      </div>
      <section className="trends" aria-label="Last hour">
        <Sparkline
          title="Attempts per minute"
          values={attempts}
          summary={`${sum(attempts)} in the last hour`}
        />
        <Sparkline
          title="Failures per minute"
          values={failures}
          summary={`${sum(failures)} in the last hour`}
          tone={sum(failures) > 0 ? 'bad' : 'ok'}
        />
      </section>

      <h2>Operational notices</h2>
      {notices.length === 0 ? (
        <Empty>
          No notices: no circuit is open, no endpoint is failing or disabled, nothing has waited over 5
          minutes and no delivery has used up its retries.
        </Empty>
      ) : (
        <ul className="notices" aria-label="Notices">
          {notices.map((n) => (
            <li key={n.key} data-notice={n.kind} className={`notice-item ${n.kind}`}>
              {n.text} <Link to={n.to}>{n.action}</Link>
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
          <table aria-label="Tenants" className="stack">
            <thead>
              <tr>
                <th>Tenant</th>
                <th>Attempts (24 h)</th>
                <th>Success rate</th>
                <th>Pending</th>
                <th>Endpoints</th>
                <th>Failed (1 h) / open / disabled</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const h = t.health;
                const tried = sum(h.map((e) => e.last24h.attempts));
                return (
                  <tr key={t.tenant.id}>
                    <td data-label="Tenant">
                      <Link to={`/tenants/${encodeURIComponent(t.tenant.id)}/subscriptions`}>
                        {t.tenant.name}
                      </Link>
                    </td>
                    <td data-label="Attempts (24 h)">{tried}</td>
                    <td data-label="Success rate">
                      {percent(sum(h.map((e) => e.last24h.succeeded)), tried)}
                    </td>
                    <td data-label="Pending">{sum(h.map((e) => e.pending))}</td>
                    <td data-label="Endpoints">{h.length}</td>
                    <td data-label="Failed (1 h) / open / disabled">
                      {t.stats.totals.failed} / {h.filter((e) => e.circuit.state !== 'closed').length} /{' '}
                      {h.filter((e) => e.status === 'disabled').length}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        Updated {dateTime(new Date(data.now).toISOString())}; refreshes every {OVERVIEW_POLL_MS / 1000} s
        while this tab is visible. Backlog and waiting time from the delivery queue; rates and trends from the
        stats rollup.
      </p>
    </div>
  );
}
