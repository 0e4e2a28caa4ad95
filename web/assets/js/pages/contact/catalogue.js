// The material catalogue with what is available now.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';

/** The catalogue: accepts the old bare array and the `{items}` list alike. */
export async function loadCatalogue() {
  const answer = await api('/materials');
  const items = Array.isArray(answer) ? answer : (answer?.items ?? []);
  return items;
}

/** The catalogue table `#materials` (rows `tr[data-code]`, the number in `td.available`). */
export function renderCatalogue(body, items) {
  if (!items.length) {
    fill(body, h('p', { class: 'muted' }, t('contact.catalogue.empty')));
    return;
  }
  fill(body,
    h('p', {}, t('contact.catalogue.intro')),
    h('div', { class: 'table-wrap' },
      h('table', { id: 'materials' },
        h('caption', { class: 'sr-only' }, t('contact.catalogue.caption')),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('contact.catalogue.name')),
          h('th', { scope: 'col', class: 'contact-type' }, t('contact.catalogue.type')),
          h('th', { scope: 'col', class: 'num contact-stock' }, t('contact.catalogue.stock')),
          h('th', { scope: 'col', class: 'num contact-stock' }, t('contact.catalogue.reserved')),
          h('th', { scope: 'col', class: 'num' }, t('contact.catalogue.available')))),
        h('tbody', {}, items.map((m) => h('tr', { 'data-code': m.code },
          h('th', { scope: 'row' }, m.name, h('div', { class: 'muted contact-code' }, m.code)),
          h('td', { class: 'contact-type' }, t(m.lent ? 'contact.catalogue.lent' : 'contact.catalogue.given')),
          h('td', { class: 'num contact-stock' }, String(m.stock_on_hand)),
          h('td', { class: 'num contact-stock' }, String(m.reserved)),
          h('td', { class: `num available${m.available > 0 ? '' : ' contact-none'}`, 'data-available': String(m.available) }, String(m.available))))))));
}

export function catalogueFailed(body, error) {
  fill(body, notice('error', t('contact.catalogue.failed', { detail: messageOf(error, t) })));
}
