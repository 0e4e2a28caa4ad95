// Money raised broken down by province, product, payment method and day, and by municipality
// with the ones that have not reported yet; each table with its CSV.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { euro, number, day } from '../../core/format.js';
import { showError, loading, table, csvButton, scrollBox, municipalityNames, textFor } from './shared.js';

const DIMENSIONS = ['province', 'product', 'payment_method', 'day'];

const columns = (keyLabel) => [
  { label: keyLabel },
  { label: t('staff.breakdowns.raised'), num: true },
  { label: t('staff.breakdowns.entries'), num: true },
];

/** The row's label: days formatted, payment methods, provinces and "no product" in Dutch. */
function labelOf(dimension, item) {
  if (dimension === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(item.key)) return day(item.key);
  if (dimension === 'payment_method') return textFor(`payment.${item.key}`) ?? item.label ?? item.key;
  if (dimension === 'province') return textFor(`staff.province.${item.key}`) ?? item.label ?? item.key;
  if (dimension === 'product' && !item.key) return t('staff.breakdowns.noProduct');
  return item.label || item.key;
}

async function loadOne(where, year, dimension) {
  const path = `/campaigns/${year}/totals/by/${dimension}`;
  fill(where, loading());
  try {
    const { items = [] } = await api(path);
    const sorted = dimension === 'day'
      ? [...items].sort((a, b) => (a.key < b.key ? 1 : -1))
      : [...items].sort((a, b) => b.raised_cents - a.raised_cents);
    const total = items.reduce((sum, i) => sum + i.raised_cents, 0);
    const entries = items.reduce((sum, i) => sum + i.entries, 0);
    const title = t(`staff.breakdowns.${dimension}`);
    const totalRow = {
      attrs: { class: 'total' },
      cells: [h('td', {}, h('strong', {}, t('common.total'))), h('td', { class: 'num' }, h('strong', {}, euro(total))), h('td', { class: 'num' }, number(entries))],
    };
    const shown = table({
      caption: t('staff.breakdowns.caption', { what: title, year }),
      columns: columns(t(`staff.breakdowns.key.${dimension}`)),
      attrs: { 'data-dimension': dimension, class: 'breakdown' },
      rows: [
        ...sorted.map((i) => ({ cells: [labelOf(dimension, i), euro(i.raised_cents), number(i.entries)], attrs: { 'data-key': i.key } })),
        totalRow,
      ],
    });
    fill(where,
      h('div', { class: 'table-head' }, h('h3', {}, title), csvButton(path, `${year}-${dimension}.csv`)),
      dimension === 'day' ? scrollBox(title, shown) : shown);
  } catch (error) {
    showError(where, error, () => loadOne(where, year, dimension));
  }
}

/** The table of all municipalities, those without money findable with a filter. */
async function loadMunicipalities(where, year) {
  const path = `/campaigns/${year}/totals/by/municipality?include_empty=true`;
  fill(where, loading());
  let items;
  try {
    const [answer, names] = await Promise.all([api(path), municipalityNames()]);
    items = answer.items ?? [];
    // Until every server lists the municipalities without money (include_empty), add them here.
    const listed = new Set(items.map((i) => i.key));
    for (const [nis, m] of names) {
      if (!listed.has(nis)) items.push({ key: nis, label: m.name_nl, raised_cents: 0, entries: 0 });
    }
  } catch (error) {
    showError(where, error, () => loadMunicipalities(where, year));
    return;
  }
  const empty = items.filter((i) => !(i.raised_cents > 0)).length;
  const show = h('select', { id: 'municipality-filter' },
    h('option', { value: 'all' }, t('staff.breakdowns.filter.all', { count: number(items.length) })),
    h('option', { value: 'empty' }, t('staff.breakdowns.filter.empty', { count: number(empty) })),
    h('option', { value: 'raised' }, t('staff.breakdowns.filter.raised', { count: number(items.length - empty) })));
  const search = h('input', { id: 'municipality-search', type: 'search', autocomplete: 'off' });
  const body = h('div', {});
  const count = h('p', { class: 'muted', role: 'status' });
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const rows = items
      .filter((i) => (show.value === 'empty' ? !(i.raised_cents > 0) : show.value === 'raised' ? i.raised_cents > 0 : true))
      .filter((i) => !q || (i.label ?? '').toLowerCase().includes(q) || i.key.includes(q))
      .sort((a, b) => (a.raised_cents - b.raised_cents) * (show.value === 'empty' ? 1 : -1) || (a.label ?? '').localeCompare(b.label ?? '', 'nl'));
    fill(count, t('staff.breakdowns.shown', { count: number(rows.length) }));
    fill(body, table({
      caption: t('staff.breakdowns.caption', { what: t('staff.breakdowns.municipality'), year }),
      columns: columns(t('staff.breakdowns.key.municipality')),
      attrs: { 'data-dimension': 'municipality', class: 'breakdown' },
      rows: rows.map((i) => ({
        cells: [`${i.label || i.key} (${i.key})`, euro(i.raised_cents), number(i.entries)],
        attrs: { 'data-key': i.key, class: i.raised_cents > 0 ? null : 'empty' },
      })),
    }));
  };
  show.addEventListener('change', render);
  search.addEventListener('input', render);
  fill(where,
    h('div', { class: 'table-head' }, h('h3', {}, t('staff.breakdowns.municipality')), csvButton(path, `${year}-municipality.csv`)),
    h('p', {}, t('staff.breakdowns.notReported', { count: number(empty), all: number(items.length) })),
    h('div', { class: 'row filters' },
      h('div', {}, h('label', { for: 'municipality-filter' }, t('staff.breakdowns.filter')), show),
      h('div', {}, h('label', { for: 'municipality-search' }, t('staff.breakdowns.search')), search)),
    count, scrollBox(t('staff.breakdowns.municipality'), body, true));
  render();
}

/** Fills `where` with every breakdown of `year`, each loading on its own. */
export function loadBreakdowns(where, year) {
  const parts = DIMENSIONS.map((d) => h('div', { class: 'breakdown-part', 'data-part': d }));
  const municipalities = h('div', { class: 'breakdown-part municipalities' });
  fill(where, h('div', { class: 'breakdown-grid' }, parts), municipalities);
  DIMENSIONS.forEach((d, i) => loadOne(parts[i], year, d));
  loadMunicipalities(municipalities, year);
}
