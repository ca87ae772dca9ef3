// Progress over time as a small SVG step chart (a value holds until the next report), with the
// target as a dashed line. Scales to its container; labels stay crisp in HTML around it.
import { useMemo } from "react";
import { formatClock, formatNumber } from "../lib/format";

export interface ProgressPoint {
  t: number;
  v: number;
}

const W = 600;
const H = 160;

export function ProgressChart({
  points,
  target,
  start,
  end,
  metric,
}: {
  points: ProgressPoint[];
  target: number;
  start: number;
  end: number;
  metric: string;
}) {
  const { line, area, targetY, last } = useMemo(() => {
    const maxV = Math.max(target, ...points.map((p) => p.v)) * 1.08 || 1;
    const span = Math.max(1, end - start);
    const x = (t: number) => ((Math.min(Math.max(t, start), end) - start) / span) * W;
    const y = (v: number) => H - (v / maxV) * H;
    let d = `M0,${H}`;
    let prevY = H;
    for (const p of points) {
      const px = x(p.t);
      d += ` L${px.toFixed(1)},${prevY.toFixed(1)} L${px.toFixed(1)},${y(p.v).toFixed(1)}`;
      prevY = y(p.v);
    }
    d += ` L${W},${prevY.toFixed(1)}`;
    return { line: d, area: `${d} L${W},${H} Z`, targetY: y(target), last: points[points.length - 1] };
  }, [points, target, start, end]);

  return (
    <figure className="chart" aria-label={`Progress toward ${formatNumber(target)} ${metric}`}>
      <div className="chart-plot">
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-hidden>
          <defs>
            <linearGradient id="chart-fill" x1="0" x2="0" y1="0" y2="1">
              <stop offset="0%" stopColor="var(--accent)" stopOpacity="0.35" />
              <stop offset="100%" stopColor="var(--accent)" stopOpacity="0" />
            </linearGradient>
          </defs>
          {[0.25, 0.5, 0.75].map((f) => (
            <line key={f} x1="0" x2={W} y1={H * f} y2={H * f} className="chart-grid" />
          ))}
          <path d={area} fill="url(#chart-fill)" />
          <path d={line} className="chart-line" />
          <line x1="0" x2={W} y1={targetY} y2={targetY} className="chart-target" />
        </svg>
        <span className="chart-target-label" style={{ top: `calc(${(targetY / H) * 100}% + 4px)` }}>
          target {formatNumber(target)}
        </span>
      </div>
      <figcaption className="chart-axis">
        <span>{formatClock(start)}</span>
        <span>
          {points.length === 0 ? "no progress reported yet" : `latest ${formatNumber(last!.v)} ${metric} at ${formatClock(last!.t)}`}
        </span>
        <span>{formatClock(end)}</span>
      </figcaption>
    </figure>
  );
}
