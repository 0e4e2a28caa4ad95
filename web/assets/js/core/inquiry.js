// An inquiry about an offer as a thread: its messages (municipality, organisation, 11.11.11), a
// reply box while it is open, and a button for each move the server says is next. The same on
// the contact's page and on the organisation's; the API decides every move and its refusal is
// shown as it gives it.
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { api, listAll } from './api.js';
import { runner } from './thread.js';
import { dateTime, number } from './format.js';

const FINAL = ['declined', 'closed'];

/**
 * One inquiry as a list item. `side` is the reader's side (`municipality` or `organisation`):
 * the organisation's moves (answered; declined while sent) are only offered to it.
 */
export function inquiryItem(thread, { side, reload, heading = [] }) {
  const id = thread.id;
  const message = h('div', { 'aria-live': 'polite' });
  const messages = h('ol', { class: 'thread' }, thread.messages.map((m) => h('li', { class: `from-${m.side}` },
    h('p', { class: 'muted' }, t('inquiry.from', { who: t(`inquiry.side.${m.side}`), when: dateTime(m.created_at) })),
    h('p', { class: 'message-text' }, m.text))));
  const run = runner(message, reload);
  const details = [
    thread.preferred_period && t('inquiry.period', { period: thread.preferred_period }),
    thread.audience_size && t('inquiry.audience', { count: number(thread.audience_size) }),
  ].filter(Boolean);
  let actions = null;
  if (!FINAL.includes(thread.status)) {
    const reply = h('textarea', { id: `inquiry-reply-${id}`, rows: 2, maxlength: 5000 });
    const send = h('button', { type: 'submit', class: 'secondary', dataset: { action: 'reply' } }, t('inquiry.send'));
    const organisationOnly = (to) => to === 'answered' || (thread.status === 'sent' && to === 'declined');
    const moves = thread.next_statuses
      .filter((to) => side === 'organisation' || !organisationOnly(to))
      .map((to) => {
        const button = h('button', { type: 'button', class: 'secondary', dataset: { action: to } }, t(`inquiry.move.${to}`));
        button.addEventListener('click', () => run(() => api(`/inquiries/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status: to } })));
        return button;
      });
    actions = h('form', { class: 'reply', novalidate: true },
      h('label', { for: reply.id }, t('inquiry.replyLabel')), reply,
      h('div', { class: 'actions' }, send, ...moves));
    actions.addEventListener('submit', (event) => {
      event.preventDefault();
      run(() => api(`/inquiries/${encodeURIComponent(id)}/messages`, { method: 'POST', body: { text: reply.value } }));
    });
  }
  return h('li', { class: 'question inquiry', dataset: { inquiryId: id, status: thread.status } },
    h('h3', {}, thread.offer_title, ' ',
      h('span', { class: 'status', dataset: { status: thread.status } }, t(`inquiry.status.${thread.status}`))),
    h('p', { class: 'muted' }, [...heading, ...details].join(' · ')),
    messages, actions, message);
}

/** The inquiries the signed-in account sees, with their threads, newest first. */
export async function loadInquiries() {
  const items = await listAll('/inquiries?limit=100', 200);
  const threads = await Promise.all(items.map((i) => api(`/inquiries/${encodeURIComponent(i.id)}`)));
  return threads.reverse();
}
