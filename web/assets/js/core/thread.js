// A question to 11.11.11 as a thread: its messages, a reply box and a close button while it is
// not closed. The same on the contact's page and in the staff's queue; the API decides every move
// and its refusal is shown as it gives it.
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { api, messageOf } from './api.js';
import { dateTime } from './format.js';
import { notice } from './layout.js';

/**
 * Runs a change of a thread, then `reload()`; a refusal is shown in `message` as the API gives it.
 */
export function runner(message, reload) {
  return async (call) => {
    fill(message);
    try {
      await call();
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  };
}

/** One thread as a list item; `asker` names the asking side, `reload()` runs after each change. */
export function threadItem(thread, { reload, asker, heading = [] }) {
  const id = thread.id;
  const message = h('div', { 'aria-live': 'polite' });
  const messages = h('ol', { class: 'thread' }, thread.messages.map((m) => h('li', { class: m.from_staff ? 'from-staff' : 'from-asker' },
    h('p', { class: 'muted' }, t('thread.from', { who: m.from_staff ? '11.11.11' : asker, when: dateTime(m.created_at) })),
    h('p', { class: 'message-text' }, m.text))));
  const run = runner(message, reload);
  let actions = null;
  if (thread.status !== 'closed') {
    const reply = h('textarea', { id: `reply-${id}`, rows: 2, maxlength: 5000 });
    const send = h('button', { type: 'submit', class: 'secondary', dataset: { action: 'reply' } }, t('thread.send'));
    const close = h('button', { type: 'button', class: 'secondary', dataset: { action: 'close' } }, t('thread.close'));
    close.addEventListener('click', () => run(() => api(`/questions/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status: 'closed' } })));
    actions = h('form', { class: 'reply', novalidate: true },
      h('label', { for: reply.id }, t('thread.replyLabel')), reply,
      h('div', { class: 'actions' }, send, close));
    actions.addEventListener('submit', (event) => {
      event.preventDefault();
      run(() => api(`/questions/${encodeURIComponent(id)}/messages`, { method: 'POST', body: { text: reply.value } }));
    });
  }
  return h('li', { class: 'question', dataset: { questionId: id, status: thread.status } },
    h('h3', {}, thread.subject, ' ',
      h('span', { class: 'status', dataset: { status: thread.status } }, t(`thread.status.${thread.status}`))),
    h('p', { class: 'muted' }, [t(`thread.topic.${thread.topic}`), ...heading].join(' · ')),
    messages, actions, message);
}
