// The page of a 4th-pillar initiative's people: the 11.11.11 fund (this year's call with its
// deadline in Brussels time, the initiative's applications with their decisions, a draft to fill
// in and submit), the trainings and network meetings to register for, and the helpdesk.
import { h, fill, announce } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, section, notice } from '../core/layout.js';
import { requireRole } from '../core/session.js';
import { api, listAll, messageOf } from '../core/api.js';
import { euro, dateTime, parseEuro } from '../core/format.js';
import { threadItem } from '../core/thread.js';
import { registerServiceWorker } from '../core/offline.js';

const me = requireRole('initiative');
if (me) start(me);

function start(account) {
  const main = frame('initiative.title', {
    nav: [['#profile', 'initiative.nav.profile'], ['#fund', 'initiative.nav.fund'], ['#trainings', 'initiative.nav.trainings'], ['#helpdesk', 'initiative.nav.helpdesk']],
  });
  const initiative = account.initiative_id;
  if (!initiative) {
    main.append(notice('error', t('initiative.none')));
    registerServiceWorker();
    return;
  }
  const loading = () => h('p', { class: 'muted' }, t('common.loading'));
  const name = h('p', { class: 'lead', id: 'initiative-name' });
  const calls = h('div', { id: 'fund-calls' }, loading());
  const applications = h('ul', { id: 'applications', class: 'items' });
  const draftBody = h('div', { id: 'draft-body' });
  const trainings = h('ul', { id: 'trainings-list', class: 'items' }, h('li', {}, loading()));
  const askBody = h('div', {});
  const threads = h('ul', { id: 'helpdesk-list', class: 'items' });
  const profileBody = h('div', { class: 'section-body' }, loading());
  main.append(name,
    section('profile', 'initiative.profile.title', profileBody),
    section('fund', 'initiative.fund.title', calls, h('h3', {}, t('initiative.fund.mine')), applications, draftBody),
    section('trainings', 'initiative.trainings.title', trainings),
    section('helpdesk', 'initiative.helpdesk.title', askBody, threads));

  async function refreshProfile() {
    try {
      const profile = await api(`/initiatives/${encodeURIComponent(initiative)}`);
      fill(name, profile.name);
      fill(profileBody, profileForm(profile, refreshProfile));
    } catch (error) {
      fill(profileBody, notice('error', messageOf(error, t)));
    }
  }

  async function refreshFund() {
    try {
      const [{ items: callList }, { items: mine }] = await Promise.all([api('/fund-calls'), api('/applications')]);
      const open = callList.find((c) => c.open);
      fill(calls, open
        ? h('p', { id: 'open-call', 'data-year': String(open.year) }, t('initiative.fund.open', {
          year: open.year, deadline: open.deadline_brussels, max: euro(open.max_per_application_cents),
        }))
        : h('p', { class: 'muted' }, t('initiative.fund.noneOpen')));
      fill(applications, ...(mine.length ? mine.map((a) => applicationItem(a, refreshFund)) : [h('li', { class: 'muted' }, t('initiative.fund.noApplications'))]));
      fill(draftBody, open ? draftForm(open, refreshFund) : null);
    } catch (error) {
      fill(calls, notice('error', messageOf(error, t)));
    }
  }

  async function refreshTrainings() {
    try {
      const { items } = await api('/trainings');
      fill(trainings, ...(items.length ? items.map((s) => trainingItem(s, refreshTrainings)) : [h('li', { class: 'muted' }, t('initiative.trainings.none'))]));
    } catch (error) {
      fill(trainings, h('li', {}, notice('error', messageOf(error, t))));
    }
  }

  async function refreshHelpdesk() {
    try {
      const items = await listAll('/questions?limit=100', 200);
      const full = await Promise.all(items.map((q) => api(`/questions/${encodeURIComponent(q.id)}`)));
      fill(threads, ...full.reverse().map((thread) => threadItem(thread, { reload: refreshHelpdesk, asker: t('initiative.helpdesk.us') })));
    } catch (error) {
      fill(threads, h('li', {}, notice('error', messageOf(error, t))));
    }
  }
  fill(askBody, askForm(initiative, refreshHelpdesk));

  refreshProfile();
  refreshFund();
  refreshTrainings();
  refreshHelpdesk();
  registerServiceWorker();
}

function applicationItem(a, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const submit = a.status === 'draft'
    ? h('button', { type: 'button', dataset: { action: 'submit' } }, t('initiative.fund.submit'))
    : null;
  submit?.addEventListener('click', async () => {
    submit.disabled = true;
    try {
      await api(`/applications/${encodeURIComponent(a.id)}/submit`, { method: 'POST' });
      announce(t('initiative.fund.submitted'));
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
      submit.disabled = false;
    }
  });
  const decision = a.status === 'granted'
    ? t('initiative.fund.granted', { amount: euro(a.granted_cents) })
    : a.status === 'refused' ? t('initiative.fund.refused', { reason: a.refusal_reason ?? '' }) : null;
  return h('li', { class: 'application', dataset: { applicationId: a.id, status: a.status } },
    h('h3', {}, a.project_title, ' ', h('span', { class: 'status', dataset: { status: a.status } }, t(`initiative.status.${a.status}`))),
    h('p', { class: 'muted' }, t('initiative.fund.line', { year: a.call_year, amount: euro(a.requested_cents), country: a.country, partner: a.partner })),
    decision ? h('p', { class: 'decision' }, decision) : null,
    submit ? h('div', { class: 'actions' }, submit) : null,
    message);
}

function draftForm(call, reload) {
  const field = (id, label, el) => [h('label', { for: id }, label), el];
  const title = h('input', { id: 'draft-title', maxlength: 200, required: true });
  const country = h('input', { id: 'draft-country', maxlength: 2, placeholder: 'CD', required: true });
  const partner = h('input', { id: 'draft-partner', maxlength: 200, required: true });
  const summary = h('textarea', { id: 'draft-summary', rows: 4, maxlength: 5000, required: true });
  const lines = [0, 1, 2].map((i) => ({
    label: h('input', { id: `draft-line-${i}-label`, maxlength: 120, placeholder: t('initiative.draft.lineLabel', { n: i + 1 }), 'aria-label': t('initiative.draft.lineLabel', { n: i + 1 }) }),
    amount: h('input', { id: `draft-line-${i}-amount`, inputmode: 'decimal', placeholder: '€', 'aria-label': t('initiative.draft.lineAmount', { n: i + 1 }) }),
  }));
  const send = h('button', { type: 'submit', id: 'draft-save' }, t('initiative.draft.save'));
  const message = h('div', { id: 'draft-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'draft-form', novalidate: true },
    h('h3', {}, t('initiative.draft.title', { year: call.year })),
    ...field(title.id, t('initiative.draft.projectTitle'), title),
    ...field(country.id, t('initiative.draft.country'), country),
    ...field(partner.id, t('initiative.draft.partner'), partner),
    ...field(summary.id, t('initiative.draft.summary'), summary),
    h('fieldset', {}, h('legend', {}, t('initiative.draft.budget')),
      ...lines.map((l) => h('div', { class: 'budget-line' }, l.label, l.amount))),
    h('div', { class: 'actions' }, send),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const budget = lines
      .filter((l) => l.label.value.trim() || l.amount.value.trim())
      .map((l) => ({ label: l.label.value, amount_cents: parseEuro(l.amount.value) ?? 0 }));
    const body = {
      project_title: title.value, country: country.value.trim().toUpperCase(), partner: partner.value, summary: summary.value,
      requested_cents: budget.reduce((sum, l) => sum + l.amount_cents, 0), budget_lines: budget,
    };
    send.disabled = true;
    fill(message);
    try {
      await api(`/fund-calls/${call.year}/applications`, { method: 'POST', body });
      form.reset();
      fill(message, notice('ok', t('initiative.draft.saved')));
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

function trainingItem(s, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const mine = s.my_registration && s.my_registration.status !== 'cancelled' ? s.my_registration : null;
  const button = mine
    ? h('button', { type: 'button', class: 'secondary', dataset: { action: 'cancel' } }, t('initiative.trainings.cancel'))
    : h('button', { type: 'button', dataset: { action: 'register' } }, t('initiative.trainings.register'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (mine) await api(`/trainings/${s.id}/registrations/${mine.id}`, { method: 'DELETE' });
      else await api(`/trainings/${s.id}/registrations`, { method: 'POST', body: {} });
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
      button.disabled = false;
    }
  });
  return h('li', { class: 'training', dataset: { trainingId: s.id, mine: mine?.status ?? '' } },
    h('h3', {}, s.title),
    h('p', { class: 'muted' }, [dateTime(s.starts_at), s.place ?? s.online_link, t('initiative.trainings.seats', { left: s.seats_left, capacity: s.capacity })].join(' · ')),
    mine ? h('p', {}, t(`initiative.trainings.status.${mine.status}`)) : null,
    h('div', { class: 'actions' }, button),
    message);
}

function askForm(initiative, reload) {
  const subject = h('input', { id: 'helpdesk-subject', maxlength: 200, required: true });
  const text = h('textarea', { id: 'helpdesk-text', rows: 3, maxlength: 5000, required: true });
  const send = h('button', { type: 'submit', id: 'helpdesk-submit' }, t('initiative.helpdesk.ask'));
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { id: 'helpdesk-form', novalidate: true },
    h('p', { class: 'muted' }, t('initiative.helpdesk.intro')),
    h('label', { for: subject.id }, t('initiative.helpdesk.subject')), subject,
    h('label', { for: text.id }, t('initiative.helpdesk.text')), text,
    h('div', { class: 'actions' }, send), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    send.disabled = true;
    fill(message);
    try {
      await api(`/initiatives/${encodeURIComponent(initiative)}/questions`, { method: 'POST', body: { subject: subject.value, text: text.value } });
      form.reset();
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

/** The initiative's own profile: what 11.11.11 knows of it, kept by the initiative. */
function profileForm(p, reload) {
  const input = (id, value, attrs = {}) => h('input', { id, value: value ?? '', ...attrs });
  const countries = input('profile-countries', p.countries.join(', '), { maxlength: 200 });
  const themes = input('profile-themes', p.themes.join(', '), { maxlength: 400 });
  const partner = input('profile-partner', p.partner_abroad, { maxlength: 200 });
  const contact = input('profile-contact-name', p.contact_name, { maxlength: 100 });
  const email = input('profile-contact-email', p.contact_email, { type: 'email', maxlength: 254 });
  const volunteers = input('profile-volunteers', p.volunteers ?? '', { type: 'number', min: 0, max: 100000 });
  const save = h('button', { type: 'submit', id: 'profile-save' }, t('initiative.profile.save'));
  const message = h('div', { id: 'profile-message', 'aria-live': 'polite' });
  const list = (el) => el.value.split(',').map((x) => x.trim()).filter(Boolean);
  const form = h('form', { id: 'profile-form', novalidate: true },
    h('p', { class: 'muted' }, t('initiative.profile.status', { status: t(`initiative.profile.is.${p.status}`), nis: p.municipality_nis })),
    h('label', { for: countries.id }, t('initiative.profile.countries')), countries,
    h('label', { for: themes.id }, t('initiative.profile.themes')), themes,
    h('label', { for: partner.id }, t('initiative.profile.partner')), partner,
    h('label', { for: contact.id }, t('initiative.profile.contactName')), contact,
    h('label', { for: email.id }, t('initiative.profile.contactEmail')), email,
    h('label', { for: volunteers.id }, t('initiative.profile.volunteers')), volunteers,
    h('div', { class: 'actions' }, save), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    fill(message);
    try {
      await api(`/initiatives/${encodeURIComponent(p.id)}`, {
        method: 'PATCH',
        body: {
          countries: list(countries), themes: list(themes), partner_abroad: partner.value.trim() || null,
          contact_name: contact.value.trim() || null, contact_email: email.value,
          volunteers: volunteers.value === '' ? null : Number(volunteers.value),
        },
      });
      announce(t('initiative.profile.saved'));
      await reload();
      fill(document.getElementById('profile-message'), notice('ok', t('initiative.profile.saved')));
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
      save.disabled = false;
    }
  });
  return form;
}
