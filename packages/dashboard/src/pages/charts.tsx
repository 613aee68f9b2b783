/**
 * The metrics page's three charts, drawn with Chart.js. A module of its own,
 * loaded by metrics.tsx with a dynamic import: Chart.js (about 200 KB) is
 * then a separate chunk, fetched only when a page draws charts.
 */
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
import { useEffect, useMemo, useRef } from 'react';
import type { StatsBucket } from '../../../sdk/src/client/index.ts';

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

/** The default export, for React.lazy. */
export default function Charts({ buckets, bucket }: { buckets: StatsBucket[]; bucket: string }) {
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
