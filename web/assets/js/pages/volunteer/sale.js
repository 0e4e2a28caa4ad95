// Logging money: a sale in three taps (product, quantity, payment method), or a donation or an
// activity's income with an amount. Everything goes to the outbox first (outbox.js).
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { notice } from '../../core/layout.js';
import { euro, parseEuro } from '../../core/format.js';
import { keep } from './outbox.js';

const QUANTITIES = [1, 2, 3, 4, 5, 10];
const PAYMENTS = ['cash', 'card', 'payconiq', 'transfer'];

function choiceGroup(id, labelKey, options, onPick) {
  const legendId = `${id}-legend`;
  const buttons = options.map(({ value, text, sub, data }) => h('button', {
    type: 'button', 'aria-pressed': 'false', dataset: data,
    onclick: (event) => onPick(value, event.currentTarget),
  }, h('span', {}, text), sub ? h('small', {}, sub) : null));
  const box = h('div', { class: 'choices', role: 'group', 'aria-labelledby': legendId, id }, buttons);
  return { box, buttons, legend: h('h3', { id: legendId }, t(labelKey)) };
}

function press(buttons, chosen) {
  for (const b of buttons) b.setAttribute('aria-pressed', b === chosen ? 'true' : 'false');
}

/** The sale panel; `onKept()` runs after an entry went to the outbox. */
export function salePanel(context, onKept) {
  const message = h('div', { id: 'sale-message' });
  const state = { product: null, quantity: null };
  const products = context.products ?? [];
  if (!context.campaign || !products.length) {
    return h('div', {}, notice('info', t('volunteer.noProducts')));
  }
  const activitySelect = activityChooser('sale-activity', context.activities);

  const productGroup = choiceGroup('sale-products', 'volunteer.pickProduct',
    products.map((p) => ({ value: p, text: p.name, sub: euro(p.unit_price_cents), data: { product: p.code } })),
    (p, button) => { state.product = p; press(productGroup.buttons, button); quantityGroup.buttons[0]?.focus(); });
  const quantityGroup = choiceGroup('sale-quantities', 'volunteer.pickQuantity',
    QUANTITIES.map((q) => ({ value: q, text: `× ${q}`, data: { quantity: String(q) } })),
    (q, button) => { state.quantity = q; press(quantityGroup.buttons, button); paymentGroup.buttons[0]?.focus(); });
  const paymentGroup = choiceGroup('sale-payments', 'volunteer.pickPayment',
    PAYMENTS.map((m) => ({ value: m, text: t(`payment.${m}`), data: { payment: m } })),
    (method) => logSale(method));

  async function logSale(method) {
    if (!state.product || !state.quantity) {
      fill(message, notice('error', t('volunteer.pickFirst')));
      return;
    }
    const entry = {
      kind: 'sale',
      product_code: state.product.code,
      quantity: state.quantity,
      payment_method: method,
      occurred_at: new Date().toISOString(),
    };
    if (activitySelect.value) entry.activity_id = activitySelect.value;
    const amount = euro(state.product.unit_price_cents * state.quantity);
    await keep(context.group.id, entry);
    const text = t('volunteer.saleKept', { quantity: state.quantity, product: state.product.name, amount });
    fill(message, notice('ok', text));
    announce(text);
    state.product = null;
    state.quantity = null;
    press(productGroup.buttons, null);
    press(quantityGroup.buttons, null);
    // Ready for the next sale: the products in view again (below the sticky tabs).
    productGroup.buttons[0]?.focus();
    onKept();
  }

  return h('div', { id: 'sale' },
    h('h2', {}, t('volunteer.saleTitle')),
    productGroup.legend, productGroup.box,
    quantityGroup.legend, quantityGroup.box,
    paymentGroup.legend, paymentGroup.box,
    h('label', { for: 'sale-activity' }, t('volunteer.atActivity')), activitySelect,
    message,
    amountForm(context, onKept));
}

function activityChooser(id, activities) {
  return h('select', { id },
    h('option', { value: '' }, t('volunteer.noActivity')),
    (activities ?? []).filter((a) => a.status !== 'cancelled').map((a) => h('option', { value: a.id }, a.title)));
}

function amountForm(context, onKept) {
  const message = h('div', { id: 'amount-message' });
  const kind = h('select', { id: 'amount-kind' },
    h('option', { value: 'donation' }, t('kind.donation')),
    h('option', { value: 'activity_income' }, t('kind.activity_income')));
  const amount = h('input', { id: 'amount-euro', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': 'amount-hint' });
  const payment = h('select', { id: 'amount-payment' }, PAYMENTS.map((m) => h('option', { value: m }, t(`payment.${m}`))));
  const activity = activityChooser('amount-activity', context.activities);
  const note = h('input', { id: 'amount-note', maxlength: 500 });
  const form = h('form', { id: 'amount-form' },
    h('h2', {}, t('volunteer.amountTitle')),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'amount-kind' }, t('volunteer.amountKind')), kind),
      h('div', {}, h('label', { for: 'amount-euro' }, t('volunteer.amount')), amount,
        h('small', { id: 'amount-hint', class: 'muted' }, t('volunteer.amountHint')))),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'amount-payment' }, t('volunteer.payment')), payment),
      h('div', {}, h('label', { for: 'amount-activity' }, t('volunteer.atActivity')), activity)),
    h('label', { for: 'amount-note' }, t('volunteer.note')), note,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'amount-submit' }, t('volunteer.amountSubmit'))),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cents = parseEuro(amount.value);
    if (!cents || cents <= 0) {
      fill(message, notice('error', t('volunteer.amountInvalid')));
      amount.focus();
      return;
    }
    if (kind.value === 'activity_income' && !activity.value) {
      fill(message, notice('error', t('volunteer.incomeNeedsActivity')));
      activity.focus();
      return;
    }
    const entry = { kind: kind.value, amount_cents: cents, payment_method: payment.value, occurred_at: new Date().toISOString() };
    if (activity.value) entry.activity_id = activity.value;
    if (note.value.trim()) entry.note = note.value.trim();
    await keep(context.group.id, entry);
    const text = t('volunteer.amountKept', { kind: t(`kind.${kind.value}`), amount: euro(cents) });
    fill(message, notice('ok', text));
    announce(text);
    amount.value = '';
    note.value = '';
    onKept();
  });
  return form;
}
