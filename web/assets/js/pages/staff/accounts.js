// Accounts: the list (find, deactivate, activate again, set a password) and a form to create one.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import { number } from '../../core/format.js';
import { showError, loading, table, municipalityNames, municipalityLabel, municipalityPicker, scrollBox } from './shared.js';
import { GROUPS_LOADED } from './groups.js';

const ROLES = ['staff', 'volunteer', 'municipal_contact'];

/** Fills `where` with the accounts and the form to create one. */
export function loadAccounts(where) {
  let users = [];
  let names = new Map();
  let groups = new Map();
  const messages = new Map();
  const listEl = h('div', { class: 'accounts-list' }, loading());
  const filter = h('input', { id: 'account-search', type: 'search', autocomplete: 'off' });
  const roleFilter = h('select', { id: 'account-role-filter' },
    h('option', { value: '' }, t('staff.accounts.allRoles')),
    ROLES.map((r) => h('option', { value: r }, t(`staff.role.${r}`))));
  const count = h('p', { class: 'muted', role: 'status' });

  const scopeOf = (u) => {
    if (u.group_id) return groups.get(u.group_id)?.name ?? u.group_id;
    if (u.municipality_nis) return municipalityLabel(names, u.municipality_nis);
    return '';
  };

  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = users
      .filter((u) => !roleFilter.value || u.role === roleFilter.value)
      .filter((u) => !q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q) || scopeOf(u).toLowerCase().includes(q));
    fill(count, t('staff.accounts.count', { shown: number(shown.length), all: number(users.length) }));
    fill(listEl, table({
      caption: t('staff.accounts.caption'),
      columns: [{ label: t('staff.accounts.account') }, { label: t('staff.accounts.role') },
        { label: t('staff.accounts.scope') }, { label: t('staff.groups.state') }, { label: t('staff.groups.action') }],
      attrs: { class: 'accounts' },
      rows: shown.map((u) => ({
        attrs: { 'data-user-id': u.id, 'data-active': String(u.active) },
        cells: [h('td', {}, u.name, h('br', {}), h('span', { class: 'muted email' }, u.email)), t(`staff.role.${u.role}`), scopeOf(u),
          h('td', {}, h('span', { class: `badge ${u.active ? 'ok' : 'waiting'}` }, t(u.active ? 'staff.active' : 'staff.inactive')),
            u.password_set ? null : h('span', { class: 'badge waiting no-password' }, t('staff.accounts.noPassword'))),
          h('td', {}, toggle(u), ' ', setPassword(u), messages.get(u.id) ?? null)],
      })),
    }));
  };

  const toggle = (u) => h('button', {
    type: 'button',
    class: 'secondary small',
    'data-action': u.active ? 'deactivate' : 'activate',
    'aria-label': t(u.active ? 'staff.accounts.deactivateNamed' : 'staff.accounts.activateNamed', { name: u.name }),
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await api(`/users/${u.id}`, { method: 'PATCH', body: { active: !u.active } });
        messages.delete(u.id);
        announce(t(u.active ? 'staff.accounts.deactivated' : 'staff.accounts.activated', { name: u.name }));
        await reload(u.id);
      } catch (error) {
        messages.set(u.id, notice('error', messageOf(error, t)));
        render();
      }
    },
  }, t(u.active ? 'staff.deactivate' : 'staff.activate'));

  // Staff set a password for an imported account (it has none), or for someone who forgot theirs.
  const passwordForm = (u) => {
    const input = h('input', {
      type: 'password', class: 'new-password', autocomplete: 'new-password', minlength: 12, required: true,
      'aria-label': t('staff.accounts.newPasswordFor', { name: u.name }),
    });
    const form = h('form', { class: 'inline set-password' }, input,
      h('button', { type: 'submit', class: 'small' }, t('staff.accounts.savePassword')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api(`/users/${u.id}`, { method: 'PATCH', body: { password: input.value } });
        messages.set(u.id, notice('ok', t('staff.accounts.passwordSaved', { name: u.name })));
        announce(t('staff.accounts.passwordSaved', { name: u.name }));
        await reload(u.id);
      } catch (error) {
        messages.set(u.id, h('div', {}, notice('error', messageOf(error, t)), form));
        render();
      }
    });
    return form;
  };

  const setPassword = (u) => h('button', {
    type: 'button',
    class: 'secondary small',
    'data-action': 'set-password',
    'aria-label': t(u.password_set ? 'staff.accounts.newPasswordNamed' : 'staff.accounts.setPasswordNamed', { name: u.name }),
    onclick: () => {
      messages.set(u.id, passwordForm(u));
      render();
      listEl.querySelector(`[data-user-id="${u.id}"] input.new-password`)?.focus();
    },
  }, t(u.password_set ? 'staff.accounts.newPassword' : 'staff.accounts.setPassword'));

  const reload = async (focusId) => {
    try {
      [users, names] = await Promise.all([listAll('/users?limit=500', 5000), municipalityNames()]);
      render();
      if (focusId) listEl.querySelector(`[data-user-id="${focusId}"] button`)?.focus();
    } catch (error) {
      showError(listEl, error, () => reload());
    }
  };
  filter.addEventListener('input', render);
  roleFilter.addEventListener('change', render);

  // The form: a volunteer belongs to a group, a municipal contact to a municipality.
  const email = h('input', { id: 'account-email', type: 'email', required: true, autocomplete: 'off', maxlength: 254 });
  const name = h('input', { id: 'account-name', type: 'text', required: true, autocomplete: 'off', maxlength: 200 });
  const password = h('input', { id: 'account-password', type: 'password', required: true, autocomplete: 'new-password', 'aria-describedby': 'account-password-hint' });
  const role = h('select', { id: 'account-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'volunteer' }, t(`staff.role.${r}`))));
  const group = h('select', { id: 'account-group' }, h('option', { value: '' }, t('common.loading')));
  const groupField = h('div', { class: 'group-field' }, h('label', { for: 'account-group' }, t('staff.accounts.group')), group);
  const picker = municipalityPicker('account-municipality');
  const message = h('div', { class: 'form-message' });
  const submit = h('button', { type: 'submit', id: 'account-create' }, t('staff.accounts.create'));
  const showScope = () => {
    groupField.hidden = role.value !== 'volunteer';
    picker.element.hidden = role.value !== 'municipal_contact';
  };
  role.addEventListener('change', showScope);
  showScope();
  document.addEventListener(GROUPS_LOADED, async (event) => {
    const list = event.detail ?? [];
    names = await municipalityNames();
    groups = new Map(list.map((g) => [g.id, g]));
    const chosen = group.value;
    fill(group, h('option', { value: '' }, t('staff.accounts.chooseGroup')),
      list.filter((g) => g.active).sort((a, b) => a.name.localeCompare(b.name, 'nl'))
        .map((g) => h('option', { value: g.id, selected: g.id === chosen }, `${g.name} – ${municipalityLabel(names, g.municipality_nis)}`)));
    if (users.length) render();
  });
  const form = h('form', { id: 'account-form', class: 'panel' },
    h('h3', {}, t('staff.accounts.new')),
    h('label', { for: 'account-name' }, t('staff.accounts.name')), name,
    h('label', { for: 'account-email' }, t('staff.accounts.email')), email,
    h('label', { for: 'account-password' }, t('staff.accounts.password')), password,
    h('p', { id: 'account-password-hint', class: 'muted hint' }, t('staff.accounts.passwordHint')),
    h('label', { for: 'account-role' }, t('staff.accounts.role')), role,
    groupField, picker.element,
    h('div', { class: 'actions' }, submit), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    fill(message);
    const body = { email: email.value.trim(), name: name.value.trim(), password: password.value, role: role.value };
    if (role.value === 'volunteer' && group.value) body.group_id = group.value;
    if (role.value === 'municipal_contact' && picker.value()) body.municipality_nis = picker.value();
    try {
      const user = await api('/users', { method: 'POST', body });
      fill(message, notice('ok', t('staff.accounts.created', { name: user.name, email: user.email })));
      form.reset();
      picker.reset();
      showScope();
      await reload(user.id);
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      submit.disabled = false;
    }
  });

  fill(where, h('div', { class: 'admin-grid' },
    h('div', {},
      h('div', { class: 'row filters' },
        h('div', {}, h('label', { for: 'account-search' }, t('staff.accounts.search')), filter),
        h('div', {}, h('label', { for: 'account-role-filter' }, t('staff.accounts.role')), roleFilter)),
      count, scrollBox(t('staff.accounts.caption'), listEl, true)),
    form));
  return reload();
}
