// The fund for the 4th pillar: the newest call with its budget, and its applications per status
// (submitted and under review first), each taken into review, granted or refused in place.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { euro, parseEuro } from '../../core/format.js';
import { notice } from '../../core/layout.js';
import { showError, loading } from './shared.js';

const STATUSES = ['submitted', 'under_review', 'granted', 'refused', 'draft'];

/** Fills `where` with the call, a status filter and its applications. */
export function loadFund(where) {
  const status = h('select', { id: 'fund-status-filter' },
    STATUSES.map((s) => h('option', { value: s }, t(`initiative.status.${s}`))));
  const summary = h('p', { id: 'fund-call', class: 'muted' });
  const list = h('ul', { id: 'fund-applications', class: 'items' });
  let latest = 0; // only the newest load fills the list (the filter may change meanwhile)
  const show = async () => {
    const mine = ++latest;
    fill(list, h('li', {}, loading()));
    try {
      const { items: calls } = await api('/fund-calls');
      const call = calls[0];
      if (!call) {
        fill(summary, t('staff.fund.noCall'));
        fill(list);
        return;
      }
      fill(summary, t('staff.fund.call', {
        year: call.year, budget: euro(call.budget_cents), granted: euro(call.granted_cents),
        remaining: euro(call.remaining_cents), deadline: call.deadline_brussels,
      }));
      const { items } = await api(`/applications?call_year=${call.year}&status=${status.value}`);
      if (mine !== latest) return;
      fill(list, ...(items.length ? items.map((a) => applicationItem(a, show)) : [h('li', { class: 'muted' }, t('staff.fund.none'))]));
    } catch (error) {
      showError(list, error, show);
    }
  };
  status.addEventListener('change', show);
  fill(where, h('div', { class: 'filters' }, h('label', { for: status.id }, t('staff.questions.status')), status), summary, list);
  show();
}

function applicationItem(a, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const run = async (path, body) => {
    fill(message);
    try {
      await api(`/applications/${encodeURIComponent(a.id)}/${path}`, { method: 'POST', body });
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  };
  let actions = null;
  if (a.status === 'submitted') {
    const review = h('button', { type: 'button', dataset: { action: 'review' } }, t('staff.fund.review'));
    review.addEventListener('click', () => run('review', {}));
    actions = h('div', { class: 'actions' }, review);
  } else if (a.status === 'under_review') {
    const amount = h('input', { id: `grant-${a.id}`, inputmode: 'decimal', value: (a.requested_cents / 100).toFixed(2).replace('.', ',') });
    const grant = h('button', { type: 'button', dataset: { action: 'grant' } }, t('staff.fund.grant'));
    grant.addEventListener('click', () => run('grant', { amount_cents: parseEuro(amount.value) ?? -1 }));
    const reason = h('input', { id: `refuse-${a.id}`, maxlength: 2000 });
    const refuse = h('button', { type: 'button', class: 'secondary', dataset: { action: 'refuse' } }, t('staff.fund.refuse'));
    refuse.addEventListener('click', () => run('refuse', { reason: reason.value }));
    actions = h('div', { class: 'fund-decision' },
      h('label', { for: amount.id }, t('staff.fund.amount')), amount, grant,
      h('label', { for: reason.id }, t('staff.fund.reason')), reason, refuse);
  }
  return h('li', { class: 'application', dataset: { applicationId: a.id, status: a.status } },
    h('h3', {}, a.project_title, ' ', h('span', { class: 'status', dataset: { status: a.status } }, t(`initiative.status.${a.status}`))),
    h('p', { class: 'muted' }, `${euro(a.requested_cents)} · ${a.country} · ${a.partner}`),
    h('p', {}, a.summary),
    actions, message);
}
