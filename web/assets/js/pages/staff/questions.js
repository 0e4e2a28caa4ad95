// The queue of questions to 11.11.11: per topic (each team its own), waiting ones first by age;
// each thread answered or closed in place.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll } from '../../core/api.js';
import { threadItem } from '../../core/thread.js';
import { showError, loading, municipalityNames, municipalityLabel } from './shared.js';

const TOPICS = ['campaign_support', 'local_global_policy', 'fourth_pillar'];
const STATUSES = ['open', 'answered', 'closed'];

/** Fills `where` with the filters and the queue. */
export function loadQuestions(where) {
  const topic = h('select', { id: 'question-topic-filter' },
    h('option', { value: '' }, t('staff.questions.allTopics')),
    TOPICS.map((tp) => h('option', { value: tp }, t(`thread.topic.${tp}`))));
  const status = h('select', { id: 'question-status-filter' },
    STATUSES.map((s) => h('option', { value: s, selected: s === 'open' }, t(`thread.status.${s}`))));
  const list = h('ul', { id: 'question-queue', class: 'items' });
  const show = async () => {
    fill(list, h('li', {}, loading()));
    try {
      const query = new URLSearchParams({ status: status.value, limit: '100' });
      if (topic.value) query.set('topic', topic.value);
      const items = await listAll(`/questions?${query}`, 300);
      const [threads, names] = await Promise.all([
        Promise.all(items.map((q) => api(`/questions/${encodeURIComponent(q.id)}`))),
        municipalityNames(),
      ]);
      if (!threads.length) {
        fill(list, h('li', { class: 'muted' }, t('staff.questions.none')));
        return;
      }
      fill(list, ...threads.map((thread) => threadItem(thread, {
        reload: show,
        asker: municipalityLabel(names, thread.municipality_nis) || t('staff.questions.asker'),
        heading: [municipalityLabel(names, thread.municipality_nis)].filter(Boolean),
      })));
    } catch (error) {
      showError(list, error, show);
    }
  };
  topic.addEventListener('change', show);
  status.addEventListener('change', show);
  fill(where,
    h('div', { class: 'row filters' },
      h('div', {}, h('label', { for: topic.id }, t('staff.questions.topic')), topic),
      h('div', {}, h('label', { for: status.id }, t('staff.questions.status')), status)),
    list);
  show();
}
