// "Our programmes": where the municipality stands in Faire Gemeente, Solidaire Gemeente and any
// other programme, with the evidence per criterion. One form per programme; a save sends the
// version it was made from (If-Match), so a change by someone else in between is not overwritten.
// Which moves are allowed is the server's to say: its refusal is shown as it gives it.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, ApiError, messageOf } from '../../core/api.js';
import { date } from '../../core/format.js';
import { notice } from '../../core/layout.js';

/** The statuses a contact chooses between; staff's (recognised, lapsed) show when they are set. */
const CONTACT_STATUSES = ['not_engaged', 'interested', 'committed'];

/** Loads the programmes and the municipality's engagement in each. */
export async function loadProgrammes(nis) {
  const [programmes, engagements] = await Promise.all([
    api('/programmes'),
    api(`/municipalities/${encodeURIComponent(nis)}/engagements`),
  ]);
  const byCode = new Map(engagements.items.map((e) => [e.programme, e]));
  return programmes.items.map((programme) => ({ programme, engagement: byCode.get(programme.code) }));
}

/** Renders one form per programme into `root`; `reload` loads and renders them again. */
export function renderProgrammes(root, nis, entries, reload) {
  if (!entries.length) {
    fill(root, h('p', { class: 'muted' }, t('contact.programmes.none')));
    return;
  }
  fill(root, h('p', { class: 'muted' }, t('contact.programmes.intro')),
    ...entries.map(({ programme, engagement }) => programmeCard(nis, programme, engagement, reload)));
}

export function programmesFailed(root, error) {
  fill(root, notice('error', t('contact.programmes.failed', { detail: messageOf(error, t) })));
}

function programmeCard(nis, programme, engagement, reload) {
  const status = engagement?.status ?? 'not_engaged';
  const code = programme.code;
  const id = (suffix) => `programme-${code}-${suffix}`;
  const choices = CONTACT_STATUSES.includes(status) ? CONTACT_STATUSES : [status, ...CONTACT_STATUSES];
  const select = h('select', { id: id('status'), name: 'status' },
    choices.map((s) => h('option', { value: s, selected: s === status }, t(`contact.programmes.status.${s}`))));
  const decided = h('input', { type: 'date', id: id('council'), name: 'council_decision_on', value: engagement?.council_decision_on ?? '' });
  const evidence = programme.criteria.map((criterion) => {
    const area = h('textarea', {
      id: id(`evidence-${criterion.code}`), name: `evidence-${criterion.code}`, rows: 2, maxlength: 4000,
      dataset: { criterion: criterion.code },
    });
    area.value = engagement?.evidence?.[criterion.code] ?? '';
    return h('div', { class: 'field' }, h('label', { for: area.id }, criterion.title), area);
  });
  const message = h('div', { 'aria-live': 'polite', class: 'programme-message' });
  const save = h('button', { type: 'submit', id: id('save') }, t('contact.programmes.save'));
  const dates = [];
  if (engagement?.recognised_on) dates.push(t('contact.programmes.recognisedOn', { date: date(`${engagement.recognised_on}T12:00:00Z`) }));
  if (engagement?.renewal_due_on) dates.push(t('contact.programmes.renewalDue', { date: date(`${engagement.renewal_due_on}T12:00:00Z`) }));

  const form = h('form', { class: 'programme-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: select.id }, t('contact.programmes.statusLabel')), select),
    h('div', { class: 'field' }, h('label', { for: decided.id }, t('contact.programmes.council')), decided,
      h('small', { class: 'muted' }, t('contact.programmes.councilHint'))),
    h('fieldset', {}, h('legend', {}, t('contact.programmes.evidence')), evidence),
    h('div', { class: 'actions' }, save),
    message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(message);
    const body = { status: select.value, evidence: {} };
    if (decided.value !== (engagement?.council_decision_on ?? '')) body.council_decision_on = decided.value || null;
    for (const area of form.querySelectorAll('textarea[data-criterion]')) {
      const before = engagement?.evidence?.[area.dataset.criterion] ?? '';
      if (area.value.trim() !== before) body.evidence[area.dataset.criterion] = area.value.trim() || null;
    }
    save.disabled = true;
    try {
      await api(`/municipalities/${encodeURIComponent(nis)}/engagements/${encodeURIComponent(code)}`, {
        method: 'PATCH', body, headers: { 'if-match': `"v${engagement?.version ?? 0}"` },
      });
      announce(t('contact.programmes.saved', { name: programme.name }));
      await reload();
    } catch (error) {
      const text = error instanceof ApiError && error.status === 412 ? t('contact.programmes.stale') : messageOf(error, t);
      fill(message, notice('error', text));
      save.disabled = false;
    }
  });

  return h('article', { class: 'programme card', dataset: { programme: code, status } },
    h('h3', {}, programme.name, ' ',
      h('span', { class: 'status', dataset: { status } }, t(`contact.programmes.status.${status}`))),
    dates.length ? h('p', { class: 'muted' }, dates.join(' · ')) : null,
    form);
}
