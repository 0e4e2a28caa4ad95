// My group's activities: add, edit, mark held with attendance, cancel. These need the network;
// offline the page shows the list it last saw.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { notice } from '../../core/layout.js';
import { api, messageOf } from '../../core/api.js';
import { date, time, brusselsToUtc, utcToBrusselsInput } from '../../core/format.js';
import { keepActivities } from './context.js';

const KINDS = ['quiz', 'dinner', 'sports', 'sale_stand', 'concert', 'walk', 'exhibition', 'other'];

/** Fills `box` with the activities and the form to add one. */
export function showActivities(box, context) {
  const message = h('div', { id: 'activities-message' });
  const list = h('ul', { id: 'activities', class: 'items' });
  const formBox = h('div', {});

  const render = () => {
    const items = [...(context.activities ?? [])].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    fill(list, items.length ? items.map(item) : h('li', { class: 'muted' }, t('volunteer.noActivities')));
    keepActivities(context.activities);
  };

  const replace = (updated) => {
    context.activities = (context.activities ?? []).filter((a) => a.id !== updated.id).concat(updated);
    render();
  };

  async function change(activity, patch, doneKey) {
    try {
      const updated = await api(`/activities/${activity.id}`, { method: 'PATCH', body: patch });
      replace(updated);
      const text = t(doneKey, { title: updated.title });
      fill(message, notice('ok', text));
      announce(text);
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  }

  function item(a) {
    const actions = h('div', { class: 'actions' });
    if (a.status === 'planned') {
      const attendance = h('input', { id: `attendance-${a.id}`, type: 'number', min: 0, max: 1000000, inputmode: 'numeric' });
      const heldForm = h('form', { class: 'row held-form' },
        h('div', {}, h('label', { for: `attendance-${a.id}` }, t('volunteer.attendance')), attendance),
        h('div', {}, h('button', { type: 'submit', class: 'secondary', 'data-action': 'held' }, t('volunteer.markHeld'))));
      heldForm.addEventListener('submit', (event) => {
        event.preventDefault();
        const count = Number.parseInt(attendance.value, 10);
        if (!Number.isInteger(count) || count < 0) {
          fill(message, notice('error', t('volunteer.attendanceInvalid')));
          attendance.focus();
          return;
        }
        change(a, { status: 'held', attendance: count }, 'volunteer.heldDone');
      });
      actions.append(
        h('button', { type: 'button', class: 'secondary', 'data-action': 'edit', onclick: () => openForm(a) }, t('volunteer.edit')),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel', onclick: () => { sure.hidden = false; sure.querySelector('button')?.focus(); } }, t('volunteer.cancelActivity')));
      // Cancelling asks once more, in the page (no browser dialog).
      const sure = h('div', { class: 'actions', hidden: true },
        h('span', {}, t('volunteer.cancelConfirm', { title: a.title })),
        h('button', { type: 'button', 'data-action': 'cancel-confirm', onclick: () => change(a, { status: 'cancelled' }, 'volunteer.cancelDone') }, t('volunteer.cancelYes')),
        h('button', { type: 'button', class: 'secondary', onclick: () => { sure.hidden = true; } }, t('volunteer.cancelNo')));
      return h('li', { 'data-activity-id': a.id, 'data-status': a.status }, summary(a), actions, sure, heldForm);
    }
    return h('li', { 'data-activity-id': a.id, 'data-status': a.status }, summary(a));
  }

  function summary(a) {
    return h('div', {},
      h('strong', {}, a.title), ' ',
      h('span', { class: `badge ${a.status === 'cancelled' ? 'bad' : a.status === 'held' ? 'ok' : ''}` }, t(`activityStatus.${a.status}`)),
      h('div', { class: 'muted' }, `${t(`activityKind.${a.kind}`)} · ${date(a.starts_at)} ${time(a.starts_at)}–${time(a.ends_at)}`),
      a.location?.address ? h('div', {}, a.location.address) : null,
      a.status === 'held' && a.attendance !== null ? h('div', {}, t('volunteer.attended', { count: a.attendance })) : null);
  }

  function openForm(existing) {
    const kind = h('select', { id: 'activity-kind' }, KINDS.map((k) => h('option', { value: k, selected: existing?.kind === k }, t(`activityKind.${k}`))));
    const title = h('input', { id: 'activity-title', required: true, maxlength: 400, value: existing?.title ?? '' });
    const starts = h('input', { id: 'activity-starts', type: 'datetime-local', required: true, value: existing ? utcToBrusselsInput(existing.starts_at) : '' });
    const ends = h('input', { id: 'activity-ends', type: 'datetime-local', required: true, value: existing ? utcToBrusselsInput(existing.ends_at) : '' });
    const address = h('input', { id: 'activity-address', maxlength: 300, value: existing?.location?.address ?? '' });
    const isPublic = h('input', { id: 'activity-public', type: 'checkbox', checked: existing ? existing.public : true });
    let point = existing?.location ? { lon: existing.location.lon, lat: existing.location.lat } : null;
    const where = h('p', { class: 'muted', id: 'activity-where' }, point ? t('volunteer.placeSet') : t('volunteer.placeNotSet'));
    const locate = h('button', { type: 'button', class: 'secondary', id: 'activity-locate' }, t('volunteer.useLocation'));
    locate.addEventListener('click', () => navigator.geolocation?.getCurrentPosition(
      (pos) => { point = { lon: pos.coords.longitude, lat: pos.coords.latitude }; where.textContent = t('volunteer.placeSet'); },
      () => { where.textContent = t('volunteer.placeUnavailable'); }));
    const formMessage = h('div', {});
    const form = h('form', { id: 'activity-form' },
      h('h3', {}, existing ? t('volunteer.editActivity') : t('volunteer.newActivity')),
      h('label', { for: 'activity-kind' }, t('volunteer.kind')), kind,
      h('label', { for: 'activity-title' }, t('volunteer.activityTitle')), title,
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'activity-starts' }, t('volunteer.starts')), starts),
        h('div', {}, h('label', { for: 'activity-ends' }, t('volunteer.ends')), ends)),
      h('label', { for: 'activity-address' }, t('volunteer.address')), address,
      where, locate,
      h('p', {}, isPublic, ' ', h('label', { for: 'activity-public', class: 'inline' }, t('volunteer.public'))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', id: 'activity-save' }, t('common.save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => fill(formBox, addButton()) }, t('common.cancel'))),
      formMessage);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = {
        kind: kind.value,
        title: title.value.trim(),
        starts_at: brusselsToUtc(starts.value),
        ends_at: brusselsToUtc(ends.value),
        public: isPublic.checked,
      };
      if (point || address.value.trim()) {
        if (point) body.location = { ...point, address: address.value.trim() || null };
      }
      try {
        const saved = existing
          ? await api(`/activities/${existing.id}`, { method: 'PATCH', body })
          : await api(`/groups/${context.group.id}/activities`, { method: 'POST', body: { ...body, campaign_year: context.campaign?.year } });
        replace(saved);
        fill(formBox, addButton());
        const text = t('volunteer.activitySaved', { title: saved.title });
        fill(message, notice('ok', text));
        announce(text);
      } catch (error) {
        fill(formMessage, notice('error', messageOf(error, t)));
      }
    });
    fill(formBox, form);
    title.focus();
  }

  const addButton = () => h('button', { type: 'button', id: 'activity-add', onclick: () => openForm(null) }, t('volunteer.addActivity'));
  fill(box, h('h2', {}, t('volunteer.activitiesTitle')), message, formBox, list);
  fill(formBox, addButton());
  render();
}
