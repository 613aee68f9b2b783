/** Metrics per tenant or endpoint, drawn with Chart.js from attempts read off the delivery log. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef, useState } from 'react';
import type { Attempt } from '../../../sdk/src/client/index.ts';
import { type Bucket, bucketWidth, buildSeries } from '../metrics-series.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, Loading, useLoad } from '../ui.tsx';

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

const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
/** Most attempts read for one chart: past this the page says the series is partial. */
const MAX_ATTEMPTS = 20_000;

function label(start: number, width: number): string {
  const d = new Date(start);
  return width >= 86_400_000
    ? d.toLocaleDateString()
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function ChartCanvas(props: { id: string; title: string; build(canvas: HTMLCanvasElement): Chart }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { build } = props;
  useEffect(() => {
    if (!ref.current) return;
    const chart = build(ref.current);
    return () => chart.destroy();
  }, [build]);
  return (
    <div className="chart-box">
      <canvas id={props.id} ref={ref} role="img" aria-label={props.title} />
    </div>
  );
}

export function MetricsPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const [range, setRange] = useState<Range>('24h');
  const [endpointId, setEndpointId] = useState('');
  const endpoints = useLoad(() => client.listEndpoints(tid, { limit: 250 }), [tid]);
  const series = useLoad(async () => {
    const until = Date.now();
    const since = until - RANGES[range];
    const attempts: Attempt[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listAttempts(tid, {
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        ...(endpointId ? { endpointId } : {}),
        limit: 250,
        ...(cursor ? { cursor } : {}),
      });
      attempts.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && attempts.length < MAX_ATTEMPTS);
    const width = bucketWidth(until - since);
    return {
      buckets: buildSeries(attempts, since, until, width),
      width,
      read: attempts.length,
      partial: !!cursor,
    };
  }, [tid, range, endpointId]);

  const data = series.data;
  return (
    <div>
      <h1>Metrics</h1>
      <div className="row panel">
        <div>
          <label htmlFor="m-range">Range</label>
          <select id="m-range" value={range} onChange={(e) => setRange(e.target.value as Range)}>
            <option value="1h">last hour</option>
            <option value="24h">last 24 hours</option>
            <option value="7d">last 7 days</option>
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
      <p className="muted">
        Computed in your browser from the delivery log ({data ? `${data.read} attempts read` : '…'}
        {data?.partial ? `, the newest ${MAX_ATTEMPTS} only` : ''}); test sends are left out.
      </p>
      {series.loading && !data && <Loading />}
      <ErrorBox error={series.error} />
      {data && data.read === 0 && (
        <Empty>No attempts in this range yet: the charts fill in as events are delivered.</Empty>
      )}
      {data && <Charts buckets={data.buckets} width={data.width} />}
    </div>
  );
}

function Charts({ buckets, width }: { buckets: Bucket[]; width: number }) {
  const labels = buckets.map((b) => label(b.start, width));
  const outcome = (canvas: HTMLCanvasElement) =>
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'succeeded',
            data: buckets.map((b) => b.succeeded),
            backgroundColor: '#10b981',
            stack: 'o',
          },
          { label: 'failed', data: buckets.map((b) => b.failed), backgroundColor: '#ef4444', stack: 'o' },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { title: { display: false } },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'attempts' } },
        },
      },
    });
  const latency = (canvas: HTMLCanvasElement) =>
    new Chart(canvas, {
      type: 'line',
      data: {
        labels,
        datasets: [
          { label: 'p50', data: buckets.map((b) => b.p50), borderColor: '#6366f1', spanGaps: true },
          { label: 'p95', data: buckets.map((b) => b.p95), borderColor: '#f59e0b', spanGaps: true },
          { label: 'p99', data: buckets.map((b) => b.p99), borderColor: '#ef4444', spanGaps: true },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
      },
    });
  return (
    <>
      <h2>Deliveries by outcome</h2>
      <ChartCanvas
        key={`o-${labels.join()}-${buckets.map((b) => b.succeeded + b.failed).join()}`}
        id="chart-outcomes"
        title="Deliveries by outcome"
        build={outcome}
      />
      <h2>Latency p50 / p95 / p99</h2>
      <ChartCanvas
        key={`l-${labels.join()}-${buckets.map((b) => b.p99).join()}`}
        id="chart-latency"
        title="Latency percentiles"
        build={latency}
      />
    </>
  );
}
