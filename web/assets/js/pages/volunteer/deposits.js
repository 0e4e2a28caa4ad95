// Handing in cash: the group records a deposit (how much, when, the bank reference or "handed to
// staff", and the days whose cash it covers) and sees how each deposit stands against the cash it
// logged for those days. Needs the network: a deposit is checked against the server's ledger.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { notice } from '../../core/layout.js';
import { api, messageOf } from '../../core/api.js';
import { euro, day, todayInBrussels, parseEuro } from '../../core/format.js';

/** Fills `box` with the deposit form and the group's deposits. */
export async function showDeposits(box, context) {
  const groupId = context.group.id;
  const today = todayInBrussels();
  const amount = h('input', { id: 'deposit-amount', inputmode: 'decimal', required: true, placeholder: '€' });
  const from = h('input', { id: 'deposit-from', type: 'date', max: today, required: true });
  const to = h('input', { id: 'deposit-to', type: 'date', max: today, required: true });
  const on = h('input', { id: 'deposit-on', type: 'date', max: today, value: today, required: true });
  const reference = h('input', { id: 'deposit-reference', maxlength: 100, required: true, placeholder: t('volunteer.deposit.referenceHint') });
  const save = h('button', { type: 'submit', id: 'deposit-save' }, t('volunteer.deposit.save'));
  const message = h('div', { id: 'deposit-message', 'aria-live': 'polite' });
  const list = h('ul', { id: 'deposits', class: 'items' });
  const form = h('form', { id: 'deposit-form', novalidate: true },
    h('p', { class: 'muted' }, t('volunteer.deposit.intro')),
    h('label', { for: amount.id }, t('volunteer.deposit.amount')), amount,
    h('label', { for: from.id }, t('volunteer.deposit.from')), from,
    h('label', { for: to.id }, t('volunteer.deposit.to')), to,
    h('label', { for: on.id }, t('volunteer.deposit.on')), on,
    h('label', { for: reference.id }, t('volunteer.deposit.reference')), reference,
    h('div', { class: 'actions' }, save), message);

  async function refresh() {
    try {
      const { items } = await api(`/deposits?group_id=${encodeURIComponent(groupId)}`);
      fill(list, ...(items.length
        ? items.map((d) => h('li', { class: 'deposit', dataset: { depositId: d.id, status: d.status } },
          h('strong', {}, euro(d.amount_cents)), ' ',
          h('span', { class: 'badge' }, t(`volunteer.deposit.status.${d.status}`)),
          h('div', { class: 'muted' }, t('volunteer.deposit.line', {
            from: day(d.covers_from), to: day(d.covers_to), expected: euro(d.expected_cents), reference: d.reference,
          }))))
        : [h('li', { class: 'muted' }, t('volunteer.deposit.none'))]));
    } catch (error) {
      fill(list, h('li', {}, notice('error', messageOf(error, t))));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    fill(message);
    try {
      await api(`/groups/${encodeURIComponent(groupId)}/deposits`, {
        method: 'POST',
        body: {
          amount_cents: parseEuro(amount.value) ?? 0, deposited_on: on.value, reference: reference.value,
          covers_from: from.value, covers_to: to.value,
        },
      });
      form.reset();
      on.value = today;
      fill(message, notice('ok', t('volunteer.deposit.saved')));
      announce(t('volunteer.deposit.saved'));
      await refresh();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      save.disabled = false;
    }
  });
  fill(box, form, h('h2', {}, t('volunteer.deposit.mine')), list);
  await refresh();
}
