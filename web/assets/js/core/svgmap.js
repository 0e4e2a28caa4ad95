// GeoJSON drawn as SVG: no tile server, nothing fetched from elsewhere. A simple equirectangular
// projection scaled by the cosine of the middle latitude is exact enough for Flanders.
import { svg } from './dom.js';

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}

/** The projection for a bounding box into a `width`-wide drawing. */
export function projection([minLon, minLat, maxLon, maxLat], width = 1000) {
  const k = Math.cos(((minLat + maxLat) / 2) * (Math.PI / 180));
  const scale = width / Math.max((maxLon - minLon) * k, 1e-9);
  const height = Math.max((maxLat - minLat) * scale, 1);
  return {
    width,
    height,
    point: ([lon, lat]) => [(lon - minLon) * k * scale, (maxLat - lat) * scale],
  };
}

/** The bounding box of features (and extra points). */
export function bounds(features, points = []) {
  let box = [Infinity, Infinity, -Infinity, -Infinity];
  const add = ([lon, lat]) => {
    box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
  };
  for (const f of features) for (const ring of rings(f.geometry)) ring.forEach(add);
  points.forEach(add);
  return box;
}

function pathOf(geometry, project) {
  return rings(geometry)
    .map((ring) => `M${ring.map((c) => project(c).map((v) => v.toFixed(1)).join(',')).join('L')}Z`)
    .join('');
}

/**
 * Draws `features` into a new <svg>. `fill(feature)` gives a CSS class; `label(feature)` the text
 * shown on hover, focus and tap; `points` ([{lon, lat, label}]) are drawn as dots on top.
 */
export function drawMap({ features, fill = () => 'area', label = () => '', points = [], title, onSelect }) {
  const box = bounds(features, points.map((p) => [p.lon, p.lat]));
  const proj = projection(box);
  const root = svg('svg', {
    viewBox: `0 0 ${proj.width.toFixed(0)} ${proj.height.toFixed(0)}`,
    role: 'img',
    class: 'map',
    'aria-label': title,
  });
  for (const feature of features) {
    const text = label(feature);
    const shape = svg('path', {
      d: pathOf(feature.geometry, proj.point),
      class: fill(feature),
      tabindex: onSelect ? 0 : undefined,
      'data-nis': feature.properties?.nis_code,
      'aria-label': onSelect ? text : undefined,
      onfocus: onSelect ? () => onSelect(feature, text) : undefined,
      onmouseenter: onSelect ? () => onSelect(feature, text) : undefined,
      onclick: onSelect ? () => onSelect(feature, text) : undefined,
    }, svg('title', {}, text));
    root.append(shape);
  }
  for (const p of points) {
    const [x, y] = proj.point([p.lon, p.lat]);
    root.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: p.radius ?? 9, class: p.class ?? 'dot' }, svg('title', {}, p.label ?? '')));
  }
  return root;
}
