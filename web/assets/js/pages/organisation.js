// The page of a member organisation's person: the inquiries municipalities send about its offers
// (answer, agree, decline, close), its own offers (withdraw or offer again) and a form to publish
// a new one. Every rule is the server's: its refusals are shown as it gives them.
import { h, fill } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, section, notice } from '../core/layout.js';
import { requireRole } from '../core/session.js';
import { api, messageOf } from '../core/api.js';
import { inquiryItem, loadInquiries } from '../core/inquiry.js';
import { registerServiceWorker } from '../core/offline.js';
import { offerForm } from './organisation/offer-form.js';

const me = requireRole('member_org');
if (me) start(me);

function start(account) {
  const main = frame('organisation.title', {
    nav: [['#inbox', 'organisation.nav.inbox'], ['#own-offers', 'organisation.nav.offers'], ['#new-offer', 'organisation.nav.new']],
  });
  const organisation = account.member_org_id;
  if (!organisation) {
    main.append(notice('error', t('organisation.none')));
    registerServiceWorker();
    return;
  }
  const loading = () => h('p', { class: 'muted' }, t('common.loading'));
  const name = h('p', { class: 'lead', id: 'organisation-name' });
  const inbox = h('ul', { id: 'inbox-list', class: 'items inquiries' }, h('li', {}, loading()));
  const offers = h('ul', { id: 'own-offers-list', class: 'items offers' }, h('li', {}, loading()));
  const formBody = h('div', { class: 'section-body' }, loading());
  main.append(name,
    section('inbox', 'organisation.inbox.title', h('p', { class: 'muted' }, t('organisation.inbox.intro')), inbox),
    section('own-offers', 'organisation.offers.title', offers),
    section('new-offer', 'organisation.new.title', formBody));

  api(`/member-organisations/${encodeURIComponent(organisation)}`, { anonymous: true })
    .then((o) => fill(name, o.name))
    .catch(() => fill(name));

  async function refreshInbox() {
    try {
      const threads = await loadInquiries();
      fill(inbox, ...(threads.length
        ? threads.map((thread) => inquiryItem(thread, {
          side: 'organisation',
          reload: refreshInbox,
          heading: [t('organisation.inbox.from', { nis: thread.municipality_nis })],
        }))
        : [h('li', { class: 'muted' }, t('organisation.inbox.none'))]));
    } catch (error) {
      fill(inbox, h('li', {}, notice('error', t('organisation.inbox.failed', { detail: messageOf(error, t) }))));
    }
  }

  async function refreshOffers() {
    try {
      const page = await api(`/member-organisations/${encodeURIComponent(organisation)}/offers?limit=500`);
      fill(offers, ...(page.items.length
        ? page.items.map((offer) => ownOffer(offer, refreshOffers))
        : [h('li', { class: 'muted' }, t('organisation.offers.none'))]));
    } catch (error) {
      fill(offers, h('li', {}, notice('error', t('organisation.offers.failed', { detail: messageOf(error, t) }))));
    }
  }

  offerForm(formBody, organisation, refreshOffers)
    .catch((error) => fill(formBody, notice('error', messageOf(error, t))));
  refreshInbox();
  refreshOffers();
  registerServiceWorker();
}

function ownOffer(offer, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const toggle = h('button', { type: 'button', class: 'secondary', dataset: { action: offer.active ? 'withdraw' : 'offer' } },
    t(offer.active ? 'organisation.offers.withdraw' : 'organisation.offers.offerAgain'));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      await api(`/offers/${encodeURIComponent(offer.id)}`, { method: 'PATCH', body: { active: !offer.active } });
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
      toggle.disabled = false;
    }
  });
  const where = offer.everywhere ? t('offer.everywhere') : offer.provinces.join(', ');
  return h('li', { class: 'offer', dataset: { offerId: offer.id, active: String(offer.active) } },
    h('h3', {}, offer.title, offer.active ? null : h('span', { class: 'status' }, ' ', t('offer.withdrawn'))),
    h('p', { class: 'muted' }, [...offer.formats.map((f) => t(`offer.format.${f}`)), where].join(' · ')),
    h('p', {}, offer.description),
    h('div', { class: 'actions' }, toggle),
    message);
}
