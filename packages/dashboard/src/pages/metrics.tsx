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
  '24h': { label: 'last 24 hours', ms: 86_400_000, bucket: '1h' },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000, bucket: '1h' },
  '30d': { label: 'last 30 days', ms: 30 * 86_400_000, bucket: '1d' },
};

export function MetricsPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const [range, setRange] = useState('24h');
  const [endpointId, setEndpointId] = useState('');
  const endpoints = useLoad(() => client.listEndpoints(tid, { limit: 250 }), [tid]);
  const stats = useLoad(() => {
    const chosen = RANGES[range] ?? RANGES['24h']!;
    const until = Date.now();
    const query = {
      since: new Date(until - chosen.ms).toISOString(),
      until: new Date(until).toISOString(),
      bucket: chosen.bucket,
    };
    return endpointId ? client.getEndpointStats(tid, endpointId, query) : client.getTenantStats(tid, query);
  }, [tid, range, endpointId]);

  const data = stats.data;
  const totals = data?.totals;
  return (
    <div>
      <h1>Metrics</h1>
      <div className="row panel">
        <div>
          <label htmlFor="m-range">Range</label>
          <select id="m-range" value={range} onChange={(e) => setRange(e.target.value)}>
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
