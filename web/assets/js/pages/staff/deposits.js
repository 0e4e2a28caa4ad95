// Cash handed in: the deposits per status (open ones first: short, over, matched), each closed in
// place (a reason when it differs), and the campaign's cash outstanding per province, with CSV.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, downloadCsv, messageOf } from '../../core/api.js';
import { euro, day } from '../../core/format.js';
import { notice } from '../../core/layout.js';
import { showError, loading, municipalityNames, municipalityLabel } from './shared.js';

const STATUSES = ['short', 'over', 'matched', 'closed'];

/** Fills `where` with the deposits of a status and, for `year`, the cash per province. */
export function loadDeposits(where, year) {
  const status = h('select', { id: 'deposit-status-filter' },
    STATUSES.map((s) => h('option', { value: s }, t(`staff.deposits.status.${s}`))));
  const list = h('ul', { id: 'deposit-queue', class: 'items' });
  const cash = h('div', { id: 'cash-by-province' });
  let latest = 0;
  const show = async () => {
    const mine = ++latest;
    fill(list, h('li', {}, loading()));
    try {
      const [{ items }, names] = await Promise.all([api(`/deposits?status=${status.value}`), municipalityNames()]);
      if (mine !== latest) return;
      fill(list, ...(items.length
        ? items.map((d) => depositItem(d, municipalityLabel(names, d.municipality_nis), show))
        : [h('li', { class: 'muted' }, t('staff.deposits.none'))]));
    } catch (error) {
      showError(list, error, show);
    }
  };
  const showCash = async () => {
    if (!year) return;
    try {
      const { items } = await api(`/campaigns/${year}/cash?by=province`);
      const download = h('button', { type: 'button', class: 'secondary', id: 'cash-csv' }, t('staff.deposits.csv'));
      download.addEventListener('click', () => downloadCsv(`/campaigns/${year}/cash?by=group`, `cash-${year}.csv`));
      fill(cash, h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', {}, t('staff.deposits.cashTitle', { year })),
        h('thead', {}, h('tr', {}, ...['province', 'logged', 'deposited', 'outstanding'].map((c) => h('th', { scope: 'col' }, t(`staff.deposits.col.${c}`))))),
        h('tbody', {}, items.map((r) => h('tr', { 'data-key': r.key },
          h('td', {}, r.label), h('td', { class: 'num' }, euro(r.logged_cents)),
          h('td', { class: 'num' }, euro(r.deposited_cents)), h('td', { class: 'num' }, euro(r.outstanding_cents))))))),
        h('div', { class: 'actions' }, download));
    } catch (error) {
      fill(cash, notice('error', messageOf(error, t)));
    }
  };
  status.addEventListener('change', show);
  fill(where, h('div', { class: 'filters' }, h('label', { for: status.id }, t('staff.questions.status')), status), list, cash);
  show();
  showCash();
}

function depositItem(d, municipality, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  let actions = null;
  if (d.status !== 'closed') {
    const reason = h('input', { id: `deposit-reason-${d.id}`, maxlength: 2000 });
    const close = h('button', { type: 'button', dataset: { action: 'close' } }, t('staff.deposits.close'));
    close.addEventListener('click', async () => {
      fill(message);
      try {
        const body = reason.value.trim() ? { reason: reason.value } : {};
        await api(`/deposits/${encodeURIComponent(d.id)}/close`, { method: 'POST', body });
        await reload();
      } catch (error) {
        fill(message, notice('error', messageOf(error, t)));
      }
    });
    actions = h('div', { class: 'fund-decision' },
      h('label', { for: reason.id }, t('staff.deposits.reason')), reason, close);
  }
  return h('li', { class: 'deposit', dataset: { depositId: d.id, status: d.status } },
    h('strong', {}, euro(d.amount_cents)), ' ',
    h('span', { class: 'badge' }, t(`staff.deposits.status.${d.status}`)), ' ',
    h('span', { class: 'muted' }, t('staff.deposits.line', {
      municipality, from: day(d.covers_from), to: day(d.covers_to), expected: euro(d.expected_cents), reference: d.reference,
    })),
    d.close_reason ? h('p', {}, d.close_reason) : null,
    actions, message);
}
