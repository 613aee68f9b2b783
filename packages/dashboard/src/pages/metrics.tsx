/** Metrics per tenant or endpoint: Herald's server-side stats, as totals and charts. */
import { Component, lazy, type ReactNode, Suspense, useState } from 'react';
import type { StatsBucketWidth } from '../../../sdk/src/client/index.ts';
import { ms, percent } from '../format.ts';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, errorText, Loading, useLoad } from '../ui.tsx';

// Chart.js is most of the dashboard's code and only this page draws: loaded
// on first use, so every other page starts without it.
const Charts = lazy(() => import('./charts.tsx'));

/**
 * A chunk that fails to load (the network, or a Herald upgraded since this
 * page was opened, whose build no longer has it) says so in place of the
 * charts instead of blanking the whole app.
 */
class ChartsBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <ErrorBox error={`The charts could not be loaded (${errorText(this.state.error)}): reload the page.`} />
    );
  }
}

/** Each range with a bucket width that keeps the chart readable (well under the server's limit). */
const RANGES: Record<string, { label: string; ms: number; bucket: StatsBucketWidth }> = {
  '1h': { label: 'last hour', ms: 3_600_000, bucket: '1m' },
  '6h': { label: 'last 6 hours', ms: 6 * 3_600_000, bucket: '5m' },
  '24h': { label: 'last 24 hours', ms: 86_400_000, bucket: '1h' },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000, bucket: '1h' },
  '30d': { label: 'last 30 days', ms: 30 * 86_400_000, bucket: '1d' },
};
const AUTO = 'auto';

export function MetricsPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const [range, setRange] = useState(AUTO);
  const [endpointId, setEndpointId] = useState('');
  const endpoints = useLoad(() => client.listEndpoints(tid, { limit: 250 }), [tid]);
  const stats = useLoad(async () => {
    const until = Date.now();
    const fetchRange = (key: string) => {
      const chosen = RANGES[key] ?? RANGES['24h']!;
      const query = {
        since: new Date(until - chosen.ms).toISOString(),
        until: new Date(until).toISOString(),
        bucket: chosen.bucket,
      };
      return endpointId ? client.getEndpointStats(tid, endpointId, query) : client.getTenantStats(tid, query);
    };
    if (range !== AUTO) return { key: range, stats: await fetchRange(range) };
    // The shortest range that holds every attempt of the last 30 days: fresh data is drawn
    // over the last hour's minutes, not squeezed into one bar of a day.
    const all = await fetchRange('30d');
    const count = (r: typeof all) => r.totals.attempts + r.totals.dropped;
    if (count(all) === 0) return { key: '1h', stats: await fetchRange('1h') };
    for (const key of ['1h', '6h', '24h', '7d']) {
      const fitted = await fetchRange(key);
      if (count(fitted) === count(all)) return { key, stats: fitted };
    }
    return { key: '30d', stats: all };
  }, [tid, range, endpointId]);

  const data = stats.data?.stats;
  const totals = data?.totals;
  return (
    <div>
      <h1>Metrics</h1>
      <div className="row panel">
        <div>
          <label htmlFor="m-range">Range</label>
          <select id="m-range" value={range} onChange={(e) => setRange(e.target.value)}>
            <option value={AUTO}>
              fits the data{range === AUTO && stats.data ? ` (${RANGES[stats.data.key]?.label})` : ''}
            </option>
            {Object.entries(RANGES).map(([key, r]) => (
              <option key={key} value={key}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="m-endpoint">Endpoint</label>
          <select id="m-endpoint" value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
            <option value="">whole tenant</option>
            {endpoints.data?.data.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name || e.url}
              </option>
            ))}
          </select>
        </div>
      </div>
      {stats.loading && !data && <Loading />}
      <ErrorBox error={stats.error} />
      {totals && (
        <section className="cards" aria-label="Totals">
          <Card label="Attempts" value={totals.attempts} />
          <Card label="Success rate" value={percent(totals.succeeded, totals.attempts)} />
          <Card label="Failed" value={totals.failed} tone={totals.failed ? 'bad' : ''} />
          <Card label="Latency p95" value={totals.latencyMs.p95 === null ? '—' : ms(totals.latencyMs.p95)} />
        </section>
      )}
      {totals && totals.attempts === 0 && (
        <Empty>No attempts in this range yet: the charts fill in as events are delivered.</Empty>
      )}
      {data && (
        <ChartsBoundary>
          <Suspense fallback={<Loading />}>
            <Charts buckets={data.buckets} bucket={data.bucket} />
          </Suspense>
        </ChartsBoundary>
      )}
      <p className="muted">
        Test sends are left out. Percentiles are estimated from a latency histogram (within about 40 %).
      </p>
    </div>
  );
}
