// The municipality's material requests, newest first, each with its lines and where it stands.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, messageOf } from '../../core/api.js';
import { dateTime, day, date } from '../../core/format.js';
import { notice } from '../../core/layout.js';

/** Every request the API shows this account (scoped to its municipality by the API). */
export async function loadRequests() {
  const items = await listAll('/material-requests?limit=500');
  return items.sort((a, b) => (b.created_at.localeCompare(a.created_at)) || b.id.localeCompare(a.id));
}

// The usual way of a request; rejected and cancelled end it early.
const WAY = ['submitted', 'approved', 'shipped', 'delivered', 'returned'];

function steps(request, lent) {
  let way = lent ? WAY : WAY.slice(0, 4);
  if (request.status === 'rejected' || request.status === 'cancelled') way = ['submitted', request.status];
  const at = way.indexOf(request.status);
  return h('ol', { class: 'contact-steps', 'aria-label': t('contact.requests.steps') },
    way.map((s, i) => h('li', {
      class: i < at ? 'done' : i === at ? 'current' : 'todo',
      'aria-current': i === at ? 'step' : undefined,
    }, t(`requestStatus.${s}`))));
}

function badgeClass(status) {
  if (status === 'rejected' || status === 'cancelled') return 'bad';
  if (status === 'submitted' || status === 'approved' || status === 'shipped') return 'waiting';
  return 'ok';
}

/**
 * Fills `body` with the list `#requests`; `materials` maps a code to {name, lent};
 * `onChanged()` runs after a cancel.
 */
export function renderRequests(list, message, requests, materials, onChanged) {
  const focused = document.activeElement?.closest?.('[data-request-id]')?.dataset.requestId;
  if (!requests.length) {
    fill(list, h('li', { class: 'muted' }, t('contact.requests.empty')));
    return;
  }
  fill(list, requests.map((r) => {
    const lent = r.lines.some((l) => materials.get(l.material_code)?.lent);
    const item = h('li', { class: 'contact-request', 'data-request-id': r.id },
      h('div', { class: 'contact-request-head' },
        h('h3', { tabindex: -1 }, t('contact.requests.heading', { date: date(r.created_at) })),
        h('span', { class: `status badge ${badgeClass(r.status)}`, 'data-status': r.status }, t(`requestStatus.${r.status}`))),
      h('ul', { class: 'contact-request-lines' }, r.lines.map((l) => h('li', { 'data-code': l.material_code },
        t('contact.requests.line', { quantity: l.quantity, name: materials.get(l.material_code)?.name ?? l.material_code })))),
      h('p', {}, t('contact.requests.neededBy', { date: day(r.needed_by) }), h('br'),
        h('span', { class: 'muted' }, t('contact.requests.address', { address: r.delivery_address }))),
      r.note ? h('p', { class: 'muted' }, t('contact.requests.note', { note: r.note })) : null,
      r.rejection_reason ? h('p', { class: 'notice error' }, t('contact.requests.rejection', { reason: r.rejection_reason })) : null,
      steps(r, lent),
      h('p', { class: 'muted contact-hint' }, t('contact.requests.changed', { when: dateTime(r.updated_at) })),
      // The API allows a cancel before shipping; it answers (and says why) if not.
      r.status === 'submitted' || r.status === 'approved' ? cancelControl(r, message, onChanged) : null,
      h('div', { class: 'contact-request-message' }));
    return item;
  }));
  // Focus stays with the request it was in (its heading once its button is gone).
  const again = focused && list.querySelector(`[data-request-id="${CSS.escape(focused)}"]`);
  if (again) (again.querySelector('button') ?? again.querySelector('h3')).focus();
}

function cancelControl(request, message, onChanged) {
  const box = h('div', { class: 'actions' });
  const ask = h('button', { type: 'button', class: 'secondary cancel-request' }, t('contact.requests.cancel'));
  ask.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'confirm-cancel' }, t('contact.requests.cancelYes'));
    const no = h('button', { type: 'button', class: 'secondary' }, t('contact.requests.cancelNo'));
    no.addEventListener('click', () => { fill(box, ask); ask.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      no.disabled = true;
      const where = box.parentElement?.querySelector('.contact-request-message');
      try {
        await api(`/material-requests/${encodeURIComponent(request.id)}/cancel`, { method: 'POST' });
        box.parentElement?.querySelector('h3')?.focus();
        fill(message, notice('ok', t('contact.requests.cancelled')));
        announce(t('contact.requests.cancelled'));
        await onChanged();
      } catch (error) {
        if (where) fill(where, notice('error', t('contact.requests.cancelFailed', { detail: messageOf(error, t) })));
        yes.disabled = false;
        no.disabled = false;
        yes.focus();
      }
    });
    fill(box, h('span', { class: 'contact-confirm' }, t('contact.requests.cancelConfirm')), yes, no);
    yes.focus();
  });
  box.append(ask);
  return box;
}

export function requestsFailed(message, error) {
  fill(message, notice('error', t('contact.requests.failed', { detail: messageOf(error, t) })));
}
