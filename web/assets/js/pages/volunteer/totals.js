// My group's figures: raised this campaign against last year at the same day, the breakdowns,
// and the newest entries.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { notice } from '../../core/layout.js';
import { api, messageOf } from '../../core/api.js';
import { euro, dateTime, day } from '../../core/format.js';

function breakdown(id, titleKey, rows, labelOf) {
  if (!rows?.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('caption', {}, t(titleKey)),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('volunteer.what')), h('th', { scope: 'col', class: 'num' }, t('volunteer.count')), h('th', { scope: 'col', class: 'num' }, t('common.total')))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, labelOf(r)), h('td', { class: 'num' }, r.entries), h('td', { class: 'num' }, euro(r.raised_cents)))))));
}

/** Fills `box` with the group's totals and its newest entries. */
export async function showTotals(box, context) {
  const groupId = context.group.id;
  const year = context.campaign?.year;
  if (!year) {
    fill(box, notice('info', t('volunteer.noCampaign')));
    return;
  }
  try {
    const [totals, entries] = await Promise.all([
      api(`/groups/${groupId}/totals?campaign_year=${year}`),
      api(`/groups/${groupId}/entries?campaign_year=${year}&order=newest_first&limit=20`),
    ]);
    const lastYear = totals.raised_cents_last_year_same_day;
    fill(box,
      h('div', { class: 'cards' },
        h('div', { class: 'card', id: 'group-total', 'data-raised-cents': totals.raised_cents },
          h('div', { class: 'sub' }, t('volunteer.groupRaised', { group: totals.group_name ?? context.group.name })),
          h('div', { class: 'figure' }, euro(totals.raised_cents)),
          h('div', { class: 'sub' }, lastYear === null || lastYear === undefined ? t('common.noLastYear') : t('common.lastYearSameDay', { amount: euro(lastYear) }))),
        h('div', { class: 'card' }, h('div', { class: 'sub' }, t('volunteer.entriesCount')), h('div', { class: 'figure' }, totals.entries))),
      breakdown('by-product', 'volunteer.byProduct', totals.by_product, (r) => r.label),
      breakdown('by-kind', 'volunteer.byKind', totals.by_kind, (r) => t(`kind.${r.key}`)),
      breakdown('by-payment', 'volunteer.byPayment', totals.by_payment_method, (r) => t(`payment.${r.key}`)),
      breakdown('by-day', 'volunteer.byDay', totals.by_day, (r) => day(r.key)),
      h('h3', {}, t('volunteer.newestEntries')),
      h('ul', { id: 'entries', class: 'items' }, (entries.items ?? []).length
        ? entries.items.map((e) => h('li', { 'data-entry-id': e.id },
          h('strong', {}, euro(e.amount_cents)), ' · ',
          e.kind === 'sale' ? `${e.quantity} × ${e.product_code}` : t(`kind.${e.kind}`),
          ' · ', t(`payment.${e.payment_method}`),
          h('div', { class: 'muted' }, dateTime(e.occurred_at))))
        : h('li', { class: 'muted' }, t('common.none'))));
  } catch (error) {
    fill(box, notice('error', messageOf(error, t)));
  }
}
