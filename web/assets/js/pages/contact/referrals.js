// "Refer an initiative": a citizen initiative from the municipality that needs advice, a training
// or the 11.11.11 fund is sent on to the 4th pillar's desk; the municipality follows what became
// of its referrals (not the initiative's private data).
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { date } from '../../core/format.js';
import { notice } from '../../core/layout.js';

const SUPPORT = ['advice', 'training', 'fund'];

/** The form into `root`; `onReferred()` runs after a success. */
export function referralForm(root, nis, onReferred) {
  const name = h('input', { id: 'referral-name', maxlength: 120, required: true });
  const email = h('input', { id: 'referral-email', type: 'email', maxlength: 254, required: true });
  const boxes = SUPPORT.map((s) => h('input', { type: 'checkbox', id: `referral-support-${s}`, value: s }));
  const note = h('textarea', { id: 'referral-note', rows: 3, maxlength: 2000 });
  const send = h('button', { type: 'submit', id: 'referral-submit' }, t('contact.referrals.send'));
  const message = h('div', { id: 'referral-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'referral-form', novalidate: true },
    h('p', { class: 'muted' }, t('contact.referrals.intro')),
    h('label', { for: name.id }, t('contact.referrals.name')), name,
    h('label', { for: email.id }, t('contact.referrals.email')), email,
    h('fieldset', {}, h('legend', {}, t('contact.referrals.support')),
      ...boxes.map((b) => h('label', { class: 'inline', for: b.id }, b, ' ', t(`contact.referrals.need.${b.value}`)))),
    h('label', { for: note.id }, t('contact.referrals.note')), note,
    h('div', { class: 'actions' }, send), message);
  fill(root, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      initiative: { name: name.value, contact_email: email.value },
      support: boxes.filter((b) => b.checked).map((b) => b.value),
    };
    if (note.value.trim()) body.note = note.value;
    send.disabled = true;
    fill(message);
    try {
      await api(`/municipalities/${encodeURIComponent(nis)}/referrals`, { method: 'POST', body });
      form.reset();
      fill(message, notice('ok', t('contact.referrals.sent')));
      announce(t('contact.referrals.sent'));
      await onReferred();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      send.disabled = false;
    }
  });
}

/** The municipality's referrals into `list`. */
export async function refreshReferrals(list) {
  try {
    const { items } = await api('/referrals');
    fill(list, ...(items.length
      ? items.map((r) => h('li', { class: 'referral', dataset: { referralId: r.id, status: r.initiative_status } },
        h('strong', {}, r.initiative_name), ' ',
        h('span', { class: 'badge' }, t(`contact.referrals.status.${r.initiative_status}`)),
        h('div', { class: 'muted' }, [date(r.created_at), r.support.map((s) => t(`contact.referrals.need.${s}`)).join(', ')].join(' · '))))
      : [h('li', { class: 'muted' }, t('contact.referrals.none'))]));
  } catch (error) {
    fill(list, h('li', {}, notice('error', messageOf(error, t))));
  }
}
