// A new offer: title, description, its formats, themes (the managed list), audiences, where it
// is offered (no province ticked: all of Flanders and Brussels), a cost note and a link.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';

const FORMATS = ['exhibition', 'workshop', 'game_or_method', 'trajectory', 'lecture', 'walk', 'brochure', 'installation', 'products'];
const AUDIENCES = ['citizens', 'schools', 'children_youth_council', 'civil_servants', 'council_members'];
const PROVINCES = ['Antwerpen', 'Limburg', 'Oost-Vlaanderen', 'Vlaams-Brabant', 'West-Vlaanderen', 'Brussels-Capital Region'];

/** A group of checkboxes named `name`; answers the fieldset and a reader of the ticked values. */
function checkboxes(name, legend, choices) {
  const boxes = choices.map(([value, label]) => {
    const box = h('input', { type: 'checkbox', id: `new-offer-${name}-${value}`, name, value });
    return h('label', { class: 'inline', for: box.id }, box, ' ', label);
  });
  const fieldset = h('fieldset', { id: `new-offer-${name}` }, h('legend', {}, legend), ...boxes);
  const ticked = () => [...fieldset.querySelectorAll('input:checked')].map((b) => b.value);
  const clear = () => fieldset.querySelectorAll('input').forEach((b) => { b.checked = false; });
  return [fieldset, ticked, clear];
}

/** The form into `root`; `onPublished()` runs after a success. */
export async function offerForm(root, organisation, onPublished) {
  const themes = await api('/offer-themes', { anonymous: true });
  const title = h('input', { id: 'new-offer-title', name: 'title', maxlength: 200, required: true });
  const description = h('textarea', { id: 'new-offer-description', name: 'description', rows: 4, maxlength: 5000, required: true });
  const [formats, tickedFormats, clearFormats] = checkboxes('formats', t('organisation.new.formats'), FORMATS.map((f) => [f, t(`offer.format.${f}`)]));
  const [themeSet, tickedThemes, clearThemes] = checkboxes('themes', t('organisation.new.themes'), themes.items.map((x) => [x.code, x.name]));
  const [audiences, tickedAudiences, clearAudiences] = checkboxes('audiences', t('organisation.new.audiences'), AUDIENCES.map((a) => [a, t(`offer.audience.${a}`)]));
  const [provinces, tickedProvinces, clearProvinces] = checkboxes('provinces', t('organisation.new.provinces'), PROVINCES.map((p) => [p, p]));
  const cost = h('input', { id: 'new-offer-cost', name: 'cost_note', maxlength: 300 });
  const link = h('input', { id: 'new-offer-link', name: 'link', type: 'url', maxlength: 500, placeholder: 'https://' });
  const submit = h('button', { type: 'submit', id: 'new-offer-submit' }, t('organisation.new.publish'));
  const message = h('div', { id: 'new-offer-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'new-offer-form', novalidate: true },
    h('label', { for: title.id }, t('organisation.new.titleLabel')), title,
    h('label', { for: description.id }, t('organisation.new.description')), description,
    formats, themeSet, audiences, provinces,
    h('label', { for: cost.id }, t('organisation.new.cost')), cost,
    h('label', { for: link.id }, t('organisation.new.link')), link,
    h('div', { class: 'actions' }, submit),
    message);
  fill(root, form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      title: title.value,
      description: description.value,
      formats: tickedFormats(),
      themes: tickedThemes(),
      audiences: tickedAudiences(),
      provinces: tickedProvinces(),
    };
    if (cost.value.trim()) body.cost_note = cost.value.trim();
    if (link.value.trim()) body.link = link.value.trim();
    submit.disabled = true;
    fill(message);
    try {
      await api(`/member-organisations/${encodeURIComponent(organisation)}/offers`, { method: 'POST', body });
      form.reset();
      [clearFormats, clearThemes, clearAudiences, clearProvinces].forEach((clear) => clear());
      fill(message, notice('ok', t('organisation.new.published')));
      announce(t('organisation.new.published'));
      await onPublished();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    } finally {
      submit.disabled = false;
    }
  });
}
