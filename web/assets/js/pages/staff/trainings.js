// Trainings and network meetings for staff: the sessions ahead with their fill rates, and a form
// to publish one (times on the Brussels clock, a place or an online link, seats).
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { dateTime, brusselsToUtc } from '../../core/format.js';
import { notice } from '../../core/layout.js';
import { showError, loading } from './shared.js';

/** Fills `where` with the sessions ahead and the publish form. */
export function loadTrainings(where) {
  const list = h('ul', { id: 'training-list', class: 'items' });
  const show = async () => {
    fill(list, h('li', {}, loading()));
    try {
      const { items } = await api('/fourth-pillar/trainings');
      fill(list, ...(items.length
        ? items.map((s) => h('li', { class: 'training', dataset: { trainingId: s.id } },
          h('strong', {}, s.title), ' ',
          h('span', { class: 'muted' }, t('staff.trainings.line', {
            when: dateTime(s.starts_at), registered: s.registered, capacity: s.capacity, waiting: s.waitlisted, rate: s.fill_rate_percent,
          }))))
        : [h('li', { class: 'muted' }, t('staff.trainings.none'))]));
    } catch (error) {
      showError(list, error, show);
    }
  };
  const title = h('input', { id: 'training-title', maxlength: 200, required: true });
  const kind = h('select', { id: 'training-kind' },
    ['training', 'network_meeting'].map((k) => h('option', { value: k }, t(`staff.trainings.kind.${k}`))));
  const starts = h('input', { id: 'training-starts', type: 'datetime-local', required: true });
  const ends = h('input', { id: 'training-ends', type: 'datetime-local', required: true });
  const place = h('input', { id: 'training-place', maxlength: 300 });
  const link = h('input', { id: 'training-link', type: 'url', maxlength: 500, placeholder: 'https://' });
  const capacity = h('input', { id: 'training-capacity', type: 'number', min: 1, max: 10000, value: 20 });
  const publish = h('button', { type: 'submit', id: 'training-publish' }, t('staff.trainings.publish'));
  const message = h('div', { id: 'training-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'training-form', novalidate: true },
    h('h3', {}, t('staff.trainings.new')),
    h('label', { for: title.id }, t('staff.trainings.title')), title,
    h('label', { for: kind.id }, t('staff.trainings.kindLabel')), kind,
    h('label', { for: starts.id }, t('staff.trainings.starts')), starts,
    h('label', { for: ends.id }, t('staff.trainings.ends')), ends,
    h('label', { for: place.id }, t('staff.trainings.place')), place,
    h('label', { for: link.id }, t('staff.trainings.link')), link,
    h('label', { for: capacity.id }, t('staff.trainings.capacity')), capacity,
    h('div', { class: 'actions' }, publish), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    publish.disabled = true;
    fill(message);
    try {
      const body = {
        title: title.value, kind: kind.value, starts_at: brusselsToUtc(starts.value), ends_at: brusselsToUtc(ends.value),
        capacity: Number(capacity.value),
      };
      if (place.value.trim()) body.place = place.value;
      if (link.value.trim()) body.online_link = link.value;
      await api('/trainings', { method: 'POST', body });
      form.reset();
      fill(message, notice('ok', t('staff.trainings.published')));
      announce(t('staff.trainings.published'));
      await show();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      publish.disabled = false;
    }
  });
  fill(where, h('h3', {}, t('staff.trainings.ahead')), list, form);
  show();
}
