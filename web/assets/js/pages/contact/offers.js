// "The offer of the member organisations": search their offer to local governments (words,
// theme, format, audience, only what is offered in our province), ask an organisation about an
// offer, and follow our inquiries as threads with the organisations. An inquiry is sent with an
// Idempotency-Key kept while the same text is retried.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, OfflineError, messageOf, newKey } from '../../core/api.js';
import { inquiryItem, loadInquiries } from '../../core/inquiry.js';
import { notice } from '../../core/layout.js';

const FORMATS = ['exhibition', 'workshop', 'game_or_method', 'trajectory', 'lecture', 'walk', 'brochure', 'installation', 'products'];
const AUDIENCES = ['citizens', 'schools', 'children_youth_council', 'civil_servants', 'council_members'];

/** The search form and its results into `root`; `onSent()` runs after an inquiry is sent. */
export async function offerSearch(root, nis, province, onSent) {
  const themes = await api('/offer-themes', { anonymous: true });
  const choice = (id, label, values, name) => {
    const select = h('select', { id, name },
      h('option', { value: '' }, t('contact.offers.any')),
      values.map(([value, text]) => h('option', { value }, text)));
    return [h('label', { for: id }, label), select];
  };
  const q = h('input', { id: 'offer-q', name: 'q', type: 'search', maxlength: 200, placeholder: t('contact.offers.qPlaceholder') });
  const [themeLabel, theme] = choice('offer-theme', t('contact.offers.theme'), themes.items.map((x) => [x.code, x.name]), 'theme');
  const [formatLabel, format] = choice('offer-format', t('contact.offers.format'), FORMATS.map((f) => [f, t(`offer.format.${f}`)]), 'format');
  const [audienceLabel, audience] = choice('offer-audience', t('contact.offers.audience'), AUDIENCES.map((a) => [a, t(`offer.audience.${a}`)]), 'audience');
  const here = h('input', { type: 'checkbox', id: 'offer-here', name: 'here', checked: true });
  const submit = h('button', { type: 'submit', id: 'offer-search' }, t('contact.offers.search'));
  const summary = h('p', { class: 'muted', id: 'offer-count', 'aria-live': 'polite' });
  const results = h('ul', { id: 'offer-results', class: 'items offers' });
  const form = h('form', { id: 'offer-form', class: 'filters', role: 'search', novalidate: true },
    h('label', { for: 'offer-q' }, t('contact.offers.q')), q,
    themeLabel, theme, formatLabel, format, audienceLabel, audience,
    h('label', { class: 'inline', for: 'offer-here' }, here, ' ', t('contact.offers.here', { province })),
    h('div', { class: 'actions' }, submit));
  const themeName = new Map(themes.items.map((x) => [x.code, x.name]));
  fill(root, h('p', { class: 'muted' }, t('contact.offers.intro')), form, summary, results);

  async function search() {
    const params = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) params.set('q', q.value.trim());
    for (const [key, el] of [['theme', theme], ['format', format], ['audience', audience]]) {
      if (el.value) params.set(key, el.value);
    }
    if (here.checked && province) params.set('province', province);
    submit.disabled = true;
    try {
      const page = await api(`/offers?${params}`, { anonymous: true });
      fill(summary, t('contact.offers.count', { count: page.total }));
      fill(results, ...(page.items.length
        ? page.items.map((offer) => offerItem(offer, nis, themeName, onSent))
        : [h('li', { class: 'muted' }, t('contact.offers.none'))]));
    } catch (error) {
      fill(summary, notice('error', messageOf(error, t)));
    } finally {
      submit.disabled = false;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });
  await search();
}

function offerItem(offer, nis, themeName, onSent) {
  const tags = [
    ...offer.formats.map((f) => t(`offer.format.${f}`)),
    ...offer.themes.map((code) => themeName.get(code) ?? code),
    ...offer.audiences.map((a) => t(`offer.audience.${a}`)),
  ];
  const where = offer.everywhere ? t('offer.everywhere') : offer.provinces.join(', ');
  const ask = h('button', { type: 'button', class: 'secondary', dataset: { action: 'ask' } }, t('contact.offers.ask'));
  const formSlot = h('div');
  ask.addEventListener('click', () => {
    ask.hidden = true;
    fill(formSlot, inquiryForm(offer, nis, () => { ask.hidden = false; fill(formSlot); }, onSent));
  });
  return h('li', { class: 'offer', dataset: { offerId: offer.id } },
    h('h3', {}, offer.title),
    h('p', { class: 'muted' }, `${offer.organisation_name} · ${where}`),
    h('p', {}, offer.description),
    h('p', { class: 'tags' }, tags.join(' · ')),
    offer.cost_note ? h('p', { class: 'muted' }, t('contact.offers.cost', { note: offer.cost_note })) : null,
    offer.link ? h('p', {}, h('a', { href: offer.link, rel: 'noopener', target: '_blank' }, t('contact.offers.more'))) : null,
    h('div', { class: 'actions' }, ask),
    formSlot);
}

function inquiryForm(offer, nis, onCancel, onSent) {
  const id = (suffix) => `inquiry-${offer.id}-${suffix}`;
  const text = h('textarea', { id: id('message'), name: 'message', rows: 4, maxlength: 5000, required: true });
  const period = h('input', { id: id('period'), name: 'preferred_period', maxlength: 100 });
  const size = h('input', { id: id('size'), name: 'audience_size', type: 'number', min: 1, max: 100000, inputmode: 'numeric' });
  const send = h('button', { type: 'submit', dataset: { action: 'send' } }, t('contact.offers.send'));
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('contact.offers.cancel'));
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inquiry-form', novalidate: true },
    h('label', { for: text.id }, t('contact.offers.message', { organisation: offer.organisation_name })), text,
    h('label', { for: period.id }, t('contact.offers.period')), period,
    h('label', { for: size.id }, t('contact.offers.size')), size,
    h('div', { class: 'actions' }, send, cancel),
    message);
  cancel.addEventListener('click', onCancel);
  let pending = null; // {key, body}: the submission being retried
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { municipality_nis: nis, message: text.value };
    if (period.value.trim()) body.preferred_period = period.value.trim();
    if (size.value) body.audience_size = Number(size.value);
    const sent = JSON.stringify(body);
    if (!pending || pending.body !== sent) pending = { key: newKey(), body: sent };
    send.disabled = true;
    fill(message);
    try {
      await api(`/offers/${encodeURIComponent(offer.id)}/inquiries`, {
        method: 'POST', body, headers: { 'Idempotency-Key': pending.key },
      });
      pending = null;
      fill(form, notice('ok', t('contact.offers.sent', { organisation: offer.organisation_name })));
      announce(t('contact.offers.sent', { organisation: offer.organisation_name }));
      await onSent();
    } catch (error) {
      const detail = error instanceof OfflineError ? t('contact.offers.retry') : messageOf(error, t);
      fill(message, notice('error', detail));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

/** Our inquiries as threads into `list`. */
export async function refreshInquiries(list) {
  const reload = () => refreshInquiries(list);
  try {
    const threads = await loadInquiries();
    fill(list, ...(threads.length
      ? threads.map((thread) => inquiryItem(thread, { side: 'municipality', reload, heading: [thread.organisation_name] }))
      : [h('li', { class: 'muted' }, t('contact.inquiries.none'))]));
  } catch (error) {
    fill(list, h('li', {}, notice('error', t('contact.inquiries.failed', { detail: messageOf(error, t) }))));
  }
}

