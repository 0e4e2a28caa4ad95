// Volunteer groups: the list (find, deactivate, activate again) and a form to create one.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import { number } from '../../core/format.js';
import { showError, loading, table, municipalityNames, municipalityLabel, municipalityPicker, scrollBox } from './shared.js';

/** Sent on `document` with the groups (detail) whenever the list is loaded again. */
export const GROUPS_LOADED = 'staff:groups';

function createForm(reload) {
  const name = h('input', { id: 'group-name', type: 'text', maxlength: 200, required: true, autocomplete: 'off' });
  const picker = municipalityPicker('group-municipality');
  const message = h('div', { class: 'form-message' });
  const submit = h('button', { type: 'submit', id: 'group-create' }, t('staff.groups.create'));
  const form = h('form', { id: 'group-form', class: 'panel' },
    h('h3', {}, t('staff.groups.new')),
    h('label', { for: 'group-name' }, t('staff.groups.name')), name,
    picker.element,
    h('div', { class: 'actions' }, submit), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    fill(message);
    try {
      const group = await api('/groups', { method: 'POST', body: { name: name.value, municipality_nis: picker.value() } });
      fill(message, notice('ok', t('staff.groups.created', { name: group.name })));
      name.value = '';
      picker.reset();
      await reload(group.id);
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Fills `where` with the groups and the form to create one. */
export function loadGroups(where) {
  const listEl = h('div', { class: 'groups-list' }, loading());
  const filter = h('input', { id: 'group-search', type: 'search', autocomplete: 'off' });
  const which = h('select', { id: 'group-which' },
    h('option', { value: 'all' }, t('staff.groups.all')),
    h('option', { value: 'active' }, t('staff.groups.onlyActive')),
    h('option', { value: 'inactive' }, t('staff.groups.onlyInactive')));
  const count = h('p', { class: 'muted', role: 'status' });
  let groups = [];
  let names = new Map();
  const messages = new Map();

  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = groups
      .filter((g) => (which.value === 'active' ? g.active : which.value === 'inactive' ? !g.active : true))
      .filter((g) => !q || g.name.toLowerCase().includes(q) || municipalityLabel(names, g.municipality_nis).toLowerCase().includes(q));
    fill(count, t('staff.groups.count', { shown: number(shown.length), all: number(groups.length) }));
    fill(listEl, table({
      caption: t('staff.groups.caption'),
      columns: [{ label: t('staff.groups.name') }, { label: t('staff.picker.municipality') }, { label: t('staff.groups.state') }, { label: t('staff.groups.action') }],
      attrs: { class: 'groups' },
      rows: shown.map((g) => ({
        attrs: { 'data-group-id': g.id, 'data-active': String(g.active) },
        cells: [g.name, municipalityLabel(names, g.municipality_nis),
          h('td', {}, h('span', { class: `badge ${g.active ? 'ok' : 'waiting'}` }, t(g.active ? 'staff.active' : 'staff.inactive'))),
          h('td', {}, toggle(g), messages.get(g.id) ?? null)],
      })),
    }));
  };

  const toggle = (g) => h('button', {
    type: 'button',
    class: 'secondary small',
    'data-action': g.active ? 'deactivate' : 'activate',
    'aria-label': t(g.active ? 'staff.groups.deactivateNamed' : 'staff.groups.activateNamed', { name: g.name }),
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await api(`/groups/${g.id}`, { method: 'PATCH', body: { active: !g.active } });
        messages.delete(g.id);
        announce(t(g.active ? 'staff.groups.deactivated' : 'staff.groups.activated', { name: g.name }));
        await reload(g.id);
      } catch (error) {
        messages.set(g.id, notice('error', messageOf(error, t)));
        render();
      }
    },
  }, t(g.active ? 'staff.deactivate' : 'staff.activate'));

  const reload = async (focusId) => {
    try {
      [groups, names] = await Promise.all([listAll('/groups?limit=500', 5000), municipalityNames()]);
      render();
      document.dispatchEvent(new CustomEvent(GROUPS_LOADED, { detail: groups }));
      if (focusId) listEl.querySelector(`[data-group-id="${focusId}"] button`)?.focus();
    } catch (error) {
      showError(listEl, error, () => reload());
    }
  };
  filter.addEventListener('input', render);
  which.addEventListener('change', render);

  fill(where, h('div', { class: 'admin-grid' },
    h('div', {},
      h('div', { class: 'row filters' },
        h('div', {}, h('label', { for: 'group-search' }, t('staff.groups.search')), filter),
        h('div', {}, h('label', { for: 'group-which' }, t('staff.groups.show')), which)),
      count, scrollBox(t('staff.groups.caption'), listEl, true)),
    createForm(reload)));
  return reload();
}
