// The choropleth of money raised per municipality, drawn from the campaign map's GeoJSON; a
// choice above it shows a programme's committed and recognised municipalities on the same shapes.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { drawMap } from '../../core/svgmap.js';
import { euro, euroRounded, number } from '../../core/format.js';
import { showError, loading } from './shared.js';

/** Upper bounds of classes c1..c4 (c5 above): quintiles of the municipalities that raised money. */
function thresholds(amounts) {
  const sorted = amounts.filter((a) => a > 0).sort((a, b) => a - b);
  if (!sorted.length) return [];
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

function classOf(cents, bounds) {
  if (!(cents > 0)) return 'c0';
  const i = bounds.findIndex((b) => cents <= b);
  return `c${i < 0 ? 5 : i + 1}`;
}

/** Fills `where` with the map of `year`, money first; the programmes are a choice away. */
export async function loadMap(where, year) {
  fill(where, loading());
  let map;
  try {
    map = await api(`/campaigns/${year}/map`, { accept: 'application/geo+json, application/json' });
  } catch (error) {
    showError(where, error, () => loadMap(where, year));
    return;
  }
  const features = map.features ?? [];
  const programmes = await api('/programmes').then((p) => p.items ?? []).catch(() => []);
  const layer = h('select', { id: 'map-layer' },
    h('option', { value: '' }, t('staff.map.layerMoney')),
    programmes.map((p) => h('option', { value: p.code }, p.name)));
  const drawn = h('div', { class: 'map-layer-body' });
  const show = async () => {
    if (!layer.value) {
      fill(drawn, ...moneyMap(features, year));
      return;
    }
    const programme = programmes.find((p) => p.code === layer.value);
    try {
      const listed = await api(`/public/programmes/${encodeURIComponent(layer.value)}/municipalities`);
      fill(drawn, ...programmeMap(features, programme, listed));
    } catch (error) {
      showError(drawn, error, show);
    }
  };
  layer.addEventListener('change', show);
  fill(where, h('div', { class: 'field map-layer' }, h('label', { for: 'map-layer' }, t('staff.map.layer')), layer), drawn);
  await show();
}

/** The nodes of the money map. */
function moneyMap(features, year) {
  const bounds = thresholds(features.map((f) => f.properties?.raised_cents ?? 0));
  const info = h('p', { class: 'map-info', 'aria-live': 'polite' }, t('staff.map.hint'));
  const label = (f) => {
    const p = f.properties ?? {};
    return t('staff.map.label', {
      name: p.name_nl ?? p.nis_code,
      amount: euro(p.raised_cents),
      groups: number(p.groups ?? 0),
      activities: number(p.activities ?? 0),
    });
  };
  const drawing = drawMap({
    features,
    fill: (f) => classOf(f.properties?.raised_cents ?? 0, bounds),
    label,
    title: t('staff.map.title', { year }),
    onSelect: (_, text) => fill(info, text),
  });
  const nothing = features.filter((f) => !(f.properties?.raised_cents > 0)).length;
  const ranges = [t('staff.map.nothing')];
  let from = 0;
  bounds.forEach((b, i) => {
    ranges.push(i === 0 ? t('staff.map.upTo', { to: euroRounded(b) }) : t('staff.map.range', { from: euroRounded(from), to: euroRounded(b) }));
    from = b;
  });
  if (bounds.length) ranges.push(t('staff.map.above', { from: euroRounded(from) }));
  const legend = h('ul', { class: 'map-legend', 'aria-label': t('staff.map.legend') },
    ranges.map((text, i) => h('li', { class: `c${i}` }, text)));
  const container = h('div', { id: 'map' }, drawing);
  const skip = h('a', { href: '#pacing', class: 'skip-map' }, t('staff.map.skip'));
  return [info, skip, container, legend,
    h('p', { class: 'muted' }, t('staff.map.summary', { count: number(features.length), nothing: number(nothing) }))];
}

/** The nodes of a programme's map: committed and recognised municipalities on the same shapes. */
function programmeMap(features, programme, listed) {
  const status = new Map((listed.items ?? []).map((m) => [m.nis_code, m.status]));
  const info = h('p', { class: 'map-info', 'aria-live': 'polite' }, t('staff.map.hint'));
  const label = (f) => {
    const p = f.properties ?? {};
    const s = status.get(p.nis_code);
    return t('staff.map.programmeLabel', { name: p.name_nl ?? p.nis_code, status: t(`staff.map.status.${s ?? 'none'}`) });
  };
  const drawing = drawMap({
    features,
    fill: (f) => `p-${status.get(f.properties?.nis_code) ?? 'none'}`,
    label,
    title: t('staff.map.programmeTitle', { name: programme?.name ?? listed.programme }),
    onSelect: (_, text) => fill(info, text),
  });
  const count = (s) => [...status.values()].filter((v) => v === s).length;
  const legend = h('ul', { class: 'map-legend', 'aria-label': t('staff.map.legend') },
    ['none', 'committed', 'recognised'].map((s) => h('li', { class: `p-${s}` },
      s === 'none' ? t('staff.map.status.none') : t('staff.map.statusCount', { status: t(`staff.map.status.${s}`), count: number(count(s)) }))));
  return [info, h('div', { id: 'map', dataset: { programme: listed.programme } }, drawing), legend];
}
