// Helpers shared by the staff page's sections: municipality names, tables, error lines, pickers.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, messageOf, downloadCsv } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import catalogue from '../../i18n/nl.js';

let municipalities = null;

/** Every municipality by NIS code ({name_nl, province}), loaded once for the whole page. */
export function municipalityNames() {
  municipalities ??= listAll('/municipalities?limit=500', 1000)
    .then((items) => new Map(items.map((m) => [m.nis_code, m])))
    .catch(() => new Map());
  return municipalities;
}

/** "Gent (44021)" or the bare code when the name is not known. */
export function municipalityLabel(names, nis) {
  if (!nis) return '';
  const found = names.get(nis);
  return found ? `${found.name_nl} (${nis})` : nis;
}

/** An error line in `where`, with a retry button when `retry` is given. */
export function showError(where, error, retry) {
  fill(where, notice('error', messageOf(error, t)),
    retry ? h('button', { type: 'button', class: 'secondary', onclick: retry }, t('staff.retry')) : null);
}

/** The text for `key` when there is one (no warning when there is not), else undefined. */
export const textFor = (key) => catalogue[key];

/** A scrolling box around a long table, reachable with the keyboard. */
export function scrollBox(labelText, child, tall = false) {
  return h('div', { class: tall ? 'scroll-box tall' : 'scroll-box', tabindex: 0, role: 'region', 'aria-label': labelText }, child);
}

/** A loading line. */
export const loading = () => h('p', { class: 'muted loading' }, t('common.loading'));

/**
 * A table: columns [{key, label, num}] and rows (arrays of cells, or {cells, attrs}).
 * The caption names it for screen readers.
 */
export function table({ caption, columns, rows, attrs = {} }) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map((row) => {
        const { cells, attrs: rowAttrs = {} } = Array.isArray(row) ? { cells: row } : row;
        return h('tr', rowAttrs, cells.map((cell, i) => (cell instanceof Node && cell.nodeName === 'TD'
          ? cell
          : h('td', { class: columns[i]?.num ? 'num' : null }, cell))));
      }))));
}

/** A "Download CSV" button for `path` that shows its own error next to it. */
export function csvButton(path, fileName, labelText) {
  const message = h('span', { class: 'csv-message' });
  const button = h('button', {
    type: 'button',
    class: 'secondary csv',
    'data-csv': fileName,
    onclick: async () => {
      button.disabled = true;
      fill(message);
      try {
        await downloadCsv(path, fileName);
      } catch (error) {
        fill(message, notice('error', messageOf(error, t)));
      } finally {
        button.disabled = false;
      }
    },
  }, labelText ?? t('common.downloadCsv'));
  return h('span', { class: 'csv-wrap' }, button, message);
}

/**
 * A municipality picker: a search field asking GET /municipalities?q= and a select of the
 * matches. `value()` answers the chosen NIS code ('' when none).
 */
export function municipalityPicker(id) {
  const search = h('input', { id: `${id}-q`, type: 'search', autocomplete: 'off', 'aria-describedby': `${id}-hint` });
  const hint = h('p', { id: `${id}-hint`, class: 'muted hint' }, t('staff.picker.hint'));
  const select = h('select', { id }, h('option', { value: '' }, t('staff.picker.none')));
  let timer = null;
  let asked = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (q.length < 2) return;
      const mine = ++asked;
      try {
        const page = await api(`/municipalities?q=${encodeURIComponent(q)}&limit=30`);
        if (mine !== asked) return;
        const items = page.items ?? [];
        fill(select, items.length
          ? items.map((m) => h('option', { value: m.nis_code }, `${m.name_nl} (${m.nis_code})`))
          : h('option', { value: '' }, t('staff.picker.noMatch')));
        fill(hint, t('staff.picker.found', { count: items.length }));
      } catch (error) {
        fill(hint, messageOf(error, t));
      }
    }, 250);
  });
  return {
    element: h('div', { class: 'picker' },
      h('label', { for: `${id}-q` }, t('staff.picker.search')), search, hint,
      h('label', { for: id }, t('staff.picker.municipality')), select),
    value: () => select.value,
    reset: () => {
      search.value = '';
      fill(select, h('option', { value: '' }, t('staff.picker.none')));
      fill(hint, t('staff.picker.hint'));
    },
  };
}
