/**
 * A small trend line drawn as SVG: the overview's attempts and failures over
 * the last hour. No chart library, so the overview (refreshed every few
 * seconds) stays light and Chart.js remains the metrics page's own chunk.
 */

export function Sparkline(props: {
  title: string;
  values: readonly number[];
  /** Said after the title to screen readers, e.g. "312 in the last hour". */
  summary: string;
  tone?: 'ok' | 'bad' | 'neutral';
}) {
  const { values } = props;
  const width = 240;
  const height = 48;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`,
  );
  const area = `0,${height} ${points.join(' ')} ${width},${height}`;
  const last = values.at(-1) ?? 0;
  return (
    <figure className={`sparkline ${props.tone ?? 'neutral'}`}>
      <figcaption>
        {props.title} <span className="muted">({props.summary})</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.title}: ${props.summary}; ${last} in the last minute`}
      >
        {values.length > 1 && (
          <>
            <polygon points={area} className="spark-area" />
            <polyline points={points.join(' ')} className="spark-line" />
          </>
        )}
      </svg>
    </figure>
  );
}
