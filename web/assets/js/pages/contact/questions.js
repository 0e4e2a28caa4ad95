// "Ask 11.11.11": a new question (campaign support or local global policy) and the
// municipality's questions as threads, each with its messages, a reply box and a close button.
// A question is sent with an Idempotency-Key kept while the same text is retried.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, OfflineError, messageOf, newKey } from '../../core/api.js';
import { threadItem } from '../../core/thread.js';
import { notice } from '../../core/layout.js';

const TOPICS = ['campaign_support', 'local_global_policy'];

/** The municipality's questions with their threads, newest first. */
export async function loadQuestions() {
  const items = await listAll('/questions?limit=100', 200);
  const threads = await Promise.all(items.map((q) => api(`/questions/${encodeURIComponent(q.id)}`)));
  return threads.reverse();
}

/** The form to ask a question into `root`; `onAsked()` runs after a success. */
export function askForm(root, nis, onAsked) {
  const topic = h('select', { id: 'question-topic', name: 'topic' },
    TOPICS.map((tp) => h('option', { value: tp }, t(`thread.topic.${tp}`))));
  const subject = h('input', { id: 'question-subject', name: 'subject', maxlength: 200, required: true });
  const text = h('textarea', { id: 'question-text', name: 'text', rows: 4, maxlength: 5000, required: true });
  const submit = h('button', { type: 'submit', id: 'question-submit' }, t('contact.questions.ask'));
  const message = h('div', { id: 'question-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'question-form', novalidate: true },
    h('label', { for: 'question-topic' }, t('contact.questions.topicLabel')), topic,
    h('label', { for: 'question-subject' }, t('contact.questions.subject')), subject,
    h('label', { for: 'question-text' }, t('contact.questions.text')), text,
    h('div', { class: 'actions' }, submit),
    message);
  fill(root, h('p', { class: 'muted' }, t('contact.questions.intro')), form);
  let pending = null; // {key, body}: the submission being retried

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { topic: topic.value, subject: subject.value, text: text.value };
    const sent = JSON.stringify(body);
    if (!pending || pending.body !== sent) pending = { key: newKey(), body: sent };
    submit.disabled = true;
    fill(message);
    try {
      await api(`/municipalities/${encodeURIComponent(nis)}/questions`, {
        method: 'POST', body, headers: { 'Idempotency-Key': pending.key },
      });
      pending = null;
      subject.value = '';
      text.value = '';
      fill(message, notice('ok', t('contact.questions.asked')));
      announce(t('contact.questions.asked'));
      await onAsked();
    } catch (error) {
      const detail = error instanceof OfflineError ? t('contact.questions.retry') : messageOf(error, t);
      fill(message, notice('error', detail));
    } finally {
      submit.disabled = false;
    }
  });
}

/** The threads into `list`; `reload()` loads them again after a reply or a close. */
export function renderQuestions(list, threads, reload) {
  if (!threads.length) {
    fill(list, h('li', { class: 'muted' }, t('contact.questions.none')));
    return;
  }
  fill(list, ...threads.map((thread) => threadItem(thread, { reload, asker: t('contact.questions.us') })));
}

export function questionsFailed(list, error) {
  fill(list, h('li', {}, notice('error', t('contact.questions.failed', { detail: messageOf(error, t) }))));
}
