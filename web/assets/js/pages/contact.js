// The municipal contact's page: my municipality at a glance, the material catalogue, a request
// for materials, each request followed through its states (refreshed every minute while the
// page is in view), the municipality's engagement programmes with their evidence, its
// questions to 11.11.11, the member organisations' offer with our inquiries about it, and the
// citizen initiatives it refers to 11.11.11's 4th-pillar desk.
import { h, fill } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, section, notice } from '../core/layout.js';
import { requireRole } from '../core/session.js';
import { time } from '../core/format.js';
import { registerServiceWorker } from '../core/offline.js';
import { loadOverview, renderOverview, overviewFailed } from './contact/overview.js';
import { loadCatalogue, renderCatalogue, catalogueFailed } from './contact/catalogue.js';
import { requestForm } from './contact/request-form.js';
import { loadRequests, renderRequests, requestsFailed } from './contact/requests.js';
import { loadProgrammes, renderProgrammes, programmesFailed } from './contact/programmes.js';
import { askForm, loadQuestions, renderQuestions, questionsFailed } from './contact/questions.js';
import { offerSearch, refreshInquiries } from './contact/offers.js';
import { referralForm, refreshReferrals } from './contact/referrals.js';
import { api, messageOf } from '../core/api.js';

const REFRESH_MS = 60_000;

const me = requireRole('municipal_contact');
if (me) start(me);

function start(account) {
  const main = frame('contact.title', {
    nav: [['#overview', 'contact.nav.overview'], ['#catalogue', 'contact.nav.catalogue'], ['#request', 'contact.nav.request'], ['#follow', 'contact.nav.requests'], ['#programmes', 'contact.nav.programmes'], ['#questions', 'contact.nav.questions'], ['#offers', 'contact.nav.offers'], ['#referrals', 'contact.nav.referrals']],
  });
  const nis = account.municipality_nis;
  if (!nis) {
    main.append(notice('error', t('contact.noMunicipality')));
    registerServiceWorker();
    return;
  }
  const loading = () => h('p', { class: 'muted' }, t('common.loading'));
  const overviewBody = h('div', { class: 'section-body' }, loading());
  const catalogueBody = h('div', { class: 'section-body' }, loading());
  const formBody = h('div', { class: 'section-body' });
  const requestsList = h('ul', { id: 'requests', class: 'items contact-requests' });
  const requestsMessage = h('div', { id: 'requests-message', 'aria-live': 'polite' });
  const updated = h('span', { class: 'muted', id: 'requests-updated' });
  const programmesBody = h('div', { class: 'section-body' }, loading());
  const askBody = h('div', { class: 'section-body' });
  const questionsList = h('ul', { id: 'questions-list', class: 'items contact-questions' });
  const offersBody = h('div', { class: 'section-body' }, loading());
  const inquiriesList = h('ul', { id: 'inquiries-list', class: 'items contact-inquiries' });
  const referralBody = h('div', { class: 'section-body' });
  const referralsList = h('ul', { id: 'referrals-list', class: 'items' });
  const refreshButton = h('button', { type: 'button', class: 'secondary', id: 'requests-refresh' }, t('contact.requests.refresh'));

  main.append(
    section('overview', 'contact.overview.title', overviewBody),
    h('div', { class: 'two-columns' },
      section('catalogue', 'contact.catalogue.title', catalogueBody),
      section('request', 'contact.form.title', formBody)),
    section('follow', 'contact.requests.title',
      h('div', { class: 'actions contact-refresh' }, refreshButton, updated),
      requestsMessage,
      requestsList),
    section('programmes', 'contact.programmes.title', programmesBody),
    section('questions', 'contact.questions.title', askBody,
      h('h3', {}, t('contact.questions.mine')), questionsList),
    section('offers', 'contact.offers.title', offersBody,
      h('h3', {}, t('contact.inquiries.title')), inquiriesList),
    section('referrals', 'contact.referrals.title', referralBody,
      h('h3', {}, t('contact.referrals.mine')), referralsList));

  let materials = new Map();
  const updateForm = requestForm(formBody, nis, () => refreshAll());

  async function refreshOverview() {
    try {
      renderOverview(overviewBody, await loadOverview(nis));
    } catch (error) {
      overviewFailed(overviewBody, error);
    }
  }

  async function refreshCatalogue() {
    try {
      const items = await loadCatalogue();
      materials = new Map(items.map((m) => [m.code, m]));
      renderCatalogue(catalogueBody, items);
      updateForm(items);
    } catch (error) {
      catalogueFailed(catalogueBody, error);
      if (!materials.size) updateForm([]);
    }
  }

  async function refreshRequests() {
    try {
      const requests = await loadRequests();
      renderRequests(requestsList, requestsMessage, requests, materials, () => refreshAll());
      fill(updated, t('contact.requests.updated', { time: time(new Date().toISOString()) }));
    } catch (error) {
      requestsFailed(requestsMessage, error);
    }
  }

  // One refresh at a time; one asked for meanwhile (after a change) runs once the current ends.
  let running = null;
  let again = null;
  let last = 0;
  async function once() {
    // The catalogue first: the requests name their materials from it.
    await Promise.all([refreshCatalogue(), refreshOverview()]);
    await refreshRequests();
    last = Date.now();
  }
  function refreshAll() {
    if (!running) {
      running = once().finally(() => { running = null; });
      return running;
    }
    again ??= running.then(() => { again = null; return refreshAll(); });
    return again;
  }

  refreshButton.addEventListener('click', async () => {
    fill(requestsMessage);
    refreshButton.disabled = true;
    await refreshAll();
    refreshButton.disabled = false;
  });
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshAll();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - last >= REFRESH_MS) refreshAll();
  });

  // Loaded once and after each save, never by the timer: a form being filled in stays as it is.
  async function refreshProgrammes() {
    try {
      renderProgrammes(programmesBody, nis, await loadProgrammes(nis), refreshProgrammes);
    } catch (error) {
      programmesFailed(programmesBody, error);
    }
  }

  // The threads: loaded at the start and after each question, reply or close.
  async function refreshQuestions() {
    try {
      renderQuestions(questionsList, await loadQuestions(), refreshQuestions);
    } catch (error) {
      questionsFailed(questionsList, error);
    }
  }
  askForm(askBody, nis, refreshQuestions);

  // The offer: searched on demand; our inquiries loaded at the start and after each change.
  const inquiriesChanged = () => refreshInquiries(inquiriesList);
  api(`/municipalities/${encodeURIComponent(nis)}`)
    .then((m) => offerSearch(offersBody, nis, m.province, inquiriesChanged))
    .catch((error) => fill(offersBody, notice('error', t('contact.offers.failed', { detail: messageOf(error, t) }))));

  const referralsChanged = () => refreshReferrals(referralsList);
  referralForm(referralBody, nis, referralsChanged);
  referralsChanged();

  refreshAll();
  refreshProgrammes();
  refreshQuestions();
  inquiriesChanged();
  registerServiceWorker();
}
