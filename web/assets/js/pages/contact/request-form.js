// Request materials: one quantity per material, needed by, delivery address, an optional note.
// Sent with an Idempotency-Key that stays the same while the same submission is retried (a lost
// answer never makes two requests) and is new after a success or a changed form.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, ApiError, OfflineError, messageOf, newKey } from '../../core/api.js';
import { number } from '../../core/format.js';
import { notice } from '../../core/layout.js';

const ADDRESS_KEY = 'campaign.contact.address';

/**
 * Builds the form into `body` for municipality `nis`; `onCreated(request)` runs after a success.
 * Answers `update(catalogue)`, to call whenever the catalogue is (re)loaded.
 */
export function requestForm(body, nis, onCreated) {
  const lines = h('div', { class: 'contact-lines', id: 'request-lines' });
  const neededBy = h('input', { id: 'needed-by', name: 'needed_by', type: 'date', required: true, 'aria-describedby': 'needed-by-hint' });
  const address = h('textarea', { id: 'delivery-address', name: 'delivery_address', rows: 3, required: true, maxlength: 1000, autocomplete: 'street-address', 'aria-describedby': 'delivery-address-hint' });
  address.value = localStorage.getItem(ADDRESS_KEY) ?? '';
  const note = h('textarea', { id: 'request-note', name: 'note', rows: 2, maxlength: 2000 });
  const submit = h('button', { type: 'submit', id: 'request-submit' }, t('contact.form.submit'));
  const message = h('div', { id: 'request-message', 'aria-live': 'polite' });
  const form = h('form', { id: 'request-form', novalidate: true },
    h('fieldset', {},
      h('legend', {}, t('contact.form.lines')),
      h('p', { class: 'muted', id: 'request-lines-hint' }, t('contact.form.linesHint')),
      lines),
    h('label', { for: 'needed-by' }, t('contact.form.neededBy')),
    h('p', { class: 'muted contact-hint', id: 'needed-by-hint' }, t('contact.form.neededByHint')),
    neededBy,
    h('label', { for: 'delivery-address' }, t('contact.form.address')),
    h('p', { class: 'muted contact-hint', id: 'delivery-address-hint' }, t('contact.form.addressHint')),
    address,
    h('label', { for: 'request-note' }, t('contact.form.note')),
    note,
    h('div', { class: 'actions' }, submit),
    message);
  fill(body, form);

  let catalogue = [];
  let pending = null; // {key, text}: the submission being retried
  let sending = false;

  function update(items) {
    catalogue = items;
    const typed = new Map([...lines.querySelectorAll('input')].map((i) => [i.dataset.code, i.value]));
    if (!items.length) {
      fill(lines, h('p', {}, t('contact.form.noCatalogue')));
      submit.disabled = true;
      return;
    }
    submit.disabled = sending;
    // The same materials as shown: only their numbers change (whatever is being typed stays).
    const shown = [...lines.querySelectorAll('input')].map((i) => i.dataset.code);
    if (shown.join('\n') === items.map((m) => m.code).join('\n')) {
      for (const m of items) {
        const hint = document.getElementById(`qty-${m.code}-hint`);
        if (hint) hint.textContent = t('contact.form.available', { count: number(m.available) });
      }
      return;
    }
    fill(lines, items.map((m) => {
      const id = `qty-${m.code}`;
      const input = h('input', {
        id, name: id, type: 'number', inputmode: 'numeric', min: 0, step: 1, value: typed.get(m.code) ?? '0',
        'data-code': m.code, 'aria-describedby': `${id}-hint`,
      });
      return h('div', { class: 'contact-line' },
        h('label', { for: id }, m.name),
        h('span', { class: 'muted contact-hint', id: `${id}-hint` }, t('contact.form.available', { count: number(m.available) })),
        input);
    }));
  }

  function clearMarks() {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  function showProblem(error, sent) {
    const problem = error instanceof ApiError ? error.problem : {};
    const fields = Array.isArray(problem.errors) ? problem.errors : [];
    let first = null;
    for (const f of fields) {
      const target = fieldInput(f.field, sent);
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        first ??= target;
      }
    }
    const detail = messageOf(error, t);
    // Each bad field once: those the detail does not already name are listed under it.
    const more = fields.filter((f) => !detail.includes(`${f.field}: ${f.message}`));
    fill(message,
      notice('error', t('contact.form.failed', { detail })),
      more.length ? h('ul', { class: 'contact-errors' }, more.map((f) => h('li', {}, h('code', {}, f.field), ': ', f.message))) : null);
    (first ?? message.firstChild)?.focus?.();
  }

  function fieldInput(field, sent) {
    if (field === 'needed_by') return neededBy;
    if (field === 'delivery_address') return address;
    if (field === 'note') return note;
    const line = /^lines\[(\d+)\]/.exec(field ?? '');
    const code = line ? sent?.lines?.[Number(line[1])]?.material_code : null;
    if (code) return lines.querySelector(`input[data-code="${CSS.escape(code)}"]`);
    if (field === 'lines') return lines.querySelector('input');
    return null;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    clearMarks();
    fill(message);
    const wrong = [...lines.querySelectorAll('input')].find((i) => i.validity.badInput);
    if (wrong) {
      wrong.setAttribute('aria-invalid', 'true');
      fill(message, notice('error', t('contact.form.qtyNotNumber')));
      wrong.focus();
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(neededBy.value)) {
      neededBy.setAttribute('aria-invalid', 'true');
      fill(message, notice('error', t('contact.form.neededByMissing')));
      neededBy.focus();
      return;
    }
    const sent = {
      lines: catalogue
        .map((m) => ({ material_code: m.code, quantity: Number(lines.querySelector(`input[data-code="${CSS.escape(m.code)}"]`)?.value || 0) }))
        .filter((l) => l.quantity !== 0),
      needed_by: neededBy.value,
      delivery_address: address.value,
    };
    if (note.value.trim()) sent.note = note.value;
    const text = JSON.stringify(sent);
    if (!pending || pending.text !== text) pending = { key: newKey(), text };
    sending = true;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    fill(message, h('p', { class: 'muted', role: 'status' }, t('contact.form.sending')));
    try {
      const created = await api(`/municipalities/${encodeURIComponent(nis)}/material-requests`, {
        method: 'POST', body: sent, headers: { 'Idempotency-Key': pending.key },
      });
      pending = null;
      localStorage.setItem(ADDRESS_KEY, address.value);
      for (const input of lines.querySelectorAll('input')) input.value = '0';
      neededBy.value = '';
      note.value = '';
      fill(message, notice('ok', t('contact.form.sent')));
      announce(t('contact.form.sent'));
      await onCreated(created);
    } catch (error) {
      if (error instanceof OfflineError) fill(message, notice('error', t('contact.form.retry')));
      else showProblem(error, sent);
    } finally {
      sending = false;
      submit.disabled = !catalogue.length;
      submit.removeAttribute('aria-busy');
    }
  });

  return update;
}
