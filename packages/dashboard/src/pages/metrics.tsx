/** Metrics per tenant or endpoint: Herald's server-side stats, drawn with Chart.js. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StatsBucket, StatsBucketWidth } from '../../../sdk/src/client/index.ts';
import { ms, percent } from '../format.ts';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, Loading, useLoad } from '../ui.tsx';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

/** Each range with a bucket width that keeps the chart readable (well under the server's limit). */
const RANGES: Record<string, { label: string; ms: number; bucket: StatsBucketWidth }> = {
  '1h': { label: 'last hour', ms: 3_600_000, bucket: '1m' },
  '24h': { label: 'last 24 hours', ms: 86_400_000, bucket: '1h' },
  '7d': { label: 'last 7 days', ms: 7 * 86_400_000, bucket: '1h' },
  '30d': { label: 'last 30 days', ms: 30 * 86_400_000, bucket: '1d' },
};

function label(start: string, bucket: string): string {
  const d = new Date(start);
  return bucket === '1d'
    ? d.toLocaleDateString()
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function ChartCanvas(props: { id: string; title: string; config: ChartConfiguration }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { config } = props;
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart-box">
      <canvas id={props.id} ref={ref} role="img" aria-label={props.title} />
    </div>
  );
}

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
      {data && <Charts buckets={data.buckets} bucket={data.bucket} />}
      <p className="muted">
        Test sends are left out. Percentiles are estimated from a latency histogram (within about 40 %).
      </p>
    </div>
  );
}

/** Chart.js configurations for the three charts; built once per answer, so charts redraw only on new data. */
function chartConfigs(buckets: StatsBucket[], bucket: string) {
  const labels = buckets.map((b) => label(b.start, bucket));
  const stacked = {
    animation: false as const,
    maintainAspectRatio: false,
    scales: {
      x: { stacked: true },
      y: { stacked: true, beginAtZero: true, title: { display: true, text: 'attempts' } },
    },
  };
  const bars = (name: string, color: string, pick: (b: StatsBucket) => number) => ({
    label: name,
    data: buckets.map(pick),
    backgroundColor: color,
    stack: 's',
  });
  const outcome: ChartConfiguration = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        bars('succeeded', '#10b981', (b) => b.succeeded),
        bars('failed', '#ef4444', (b) => b.failed),
        bars('dropped', '#94a3b8', (b) => b.dropped),
      ],
    },
    options: stacked,
  };
  const classes: ChartConfiguration = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        bars('2xx', '#10b981', (b) => b.statusClasses['2xx']),
        bars('3xx', '#6366f1', (b) => b.statusClasses['3xx']),
        bars('4xx', '#f59e0b', (b) => b.statusClasses['4xx']),
        bars('5xx', '#ef4444', (b) => b.statusClasses['5xx']),
        bars('no response', '#64748b', (b) => b.statusClasses.none),
      ],
    },
    options: stacked,
  };
  const line = (name: string, color: string, pick: (b: StatsBucket) => number | null) => ({
    label: name,
    data: buckets.map(pick),
    borderColor: color,
    backgroundColor: color,
    spanGaps: true,
  });
  const latency: ChartConfiguration = {
    type: 'line',
    data: {
      labels,
      datasets: [
        line('p50', '#6366f1', (b) => b.latencyMs.p50),
        line('p95', '#f59e0b', (b) => b.latencyMs.p95),
        line('p99', '#ef4444', (b) => b.latencyMs.p99),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
    },
  };
  return { outcome, classes, latency };
}

function Charts({ buckets, bucket }: { buckets: StatsBucket[]; bucket: string }) {
  const { outcome, classes, latency } = useMemo(() => chartConfigs(buckets, bucket), [buckets, bucket]);
  return (
    <>
      <h2>Deliveries by outcome</h2>
      <ChartCanvas id="chart-outcomes" title="Deliveries by outcome" config={outcome} />
      <h2>Responses by status class</h2>
      <ChartCanvas id="chart-status" title="Responses by status class" config={classes} />
      <h2>Latency p50 / p95 / p99</h2>
      <ChartCanvas id="chart-latency" title="Latency percentiles" config={latency} />
    </>
  );
}
