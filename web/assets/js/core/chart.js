// A line chart in SVG: cumulative money per day, this year against last year.
import { svg, h } from './dom.js';

/**
 * series: [{label, class, values: [number|null]}], labels: x labels (days);
 * format: value → text for the axis. Answers a <figure> with the chart and a legend.
 */
export function lineChart({ series, labels, format, title }) {
  const width = 800;
  const height = 280;
  const pad = { left: 90, right: 16, top: 12, bottom: 30 };
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined)));
  const x = (i) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(labels.length - 1, 1);
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  for (let step = 0; step <= 4; step += 1) {
    const value = (max * step) / 4;
    root.append(
      svg('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'grid' }),
      svg('text', { x: pad.left - 8, y: y(value) + 4, class: 'axis', 'text-anchor': 'end' }, format(value)),
    );
  }
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, i) => {
    if (i % every === 0) root.append(svg('text', { x: x(i), y: height - 8, class: 'axis', 'text-anchor': 'middle' }, label));
  });
  for (const s of series) {
    const points = s.values.map((v, i) => (v === null || v === undefined ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    if (points.length) root.append(svg('polyline', { points: points.join(' '), class: `line ${s.class}` }, svg('title', {}, s.label)));
  }
  const legend = h('ul', { class: 'legend' }, series.map((s) => h('li', { class: s.class }, s.label)));
  return h('figure', { class: 'chart-figure' }, root, legend);
}
