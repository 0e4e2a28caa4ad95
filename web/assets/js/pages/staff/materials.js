// The queue of material requests with the moves each state allows, and the stock levels.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import { day, dateTime, number, todayInBrussels } from '../../core/format.js';
import { showError, loading, table, municipalityNames, municipalityLabel, scrollBox } from './shared.js';

/** The statuses that still wait for staff, in the order of the queue. */
const QUEUE = ['submitted', 'approved', 'shipped', 'delivered'];
/** The buttons shown per status (the API decides; a refused move shows its problem). */
const MOVES = {
  submitted: ['approve', 'reject'],
  approved: ['ship', 'cancel'],
  shipped: ['deliver'],
  delivered: ['return'],
};

/** The state of the section: catalogue by code, and the messages kept next to requests. */
const state = { catalogue: new Map(), messages: new Map(), queueEl: null, stockEl: null };

function stockTable(items) {
  return table({
    caption: t('staff.stock.caption'),
    columns: [
      { label: t('staff.stock.code') }, { label: t('staff.stock.name') },
      { label: t('staff.stock.onHand'), num: true }, { label: t('staff.stock.reserved'), num: true },
      { label: t('staff.stock.available'), num: true },
    ],
    attrs: { id: 'stock', class: 'stock' },
    rows: items.map((m) => ({
      attrs: { 'data-code': m.code, class: m.available <= 0 ? 'out' : null },
      cells: [
        h('td', {}, h('code', {}, m.code)),
        h('td', {}, m.name, m.lent ? h('span', { class: 'badge lent' }, t('staff.stock.lentYes')) : null),
        number(m.stock_on_hand), number(m.reserved),
        h('td', { class: 'num available' }, number(m.available)),
      ],
    })),
  });
}

async function loadStock() {
  const where = state.stockEl;
  try {
    const answer = await api('/materials');
    const items = Array.isArray(answer) ? answer : answer?.items ?? [];
    state.catalogue = new Map(items.map((m) => [m.code, m]));
    fill(where, stockTable(items));
    for (const span of state.queueEl?.querySelectorAll('.avail[data-material]') ?? []) {
      const material = state.catalogue.get(span.dataset.material);
      if (material) span.textContent = ` (${t('staff.requests.available', { count: number(material.available) })})`;
    }
  } catch (error) {
    showError(where, error, loadStock);
  }
}

function hasLentLine(request) {
  return request.lines.some((l) => state.catalogue.get(l.material_code)?.lent);
}

function movesOf(request) {
  const moves = MOVES[request.status] ?? [];
  return request.status === 'delivered' && !hasLentLine(request) ? [] : moves;
}

function requestItem(request, names) {
  const id = request.id;
  const message = h('div', { class: 'request-message' }, state.messages.get(id) ?? null);
  const buttons = h('div', { class: 'actions' });
  const reason = h('div', { class: 'reject-form', hidden: true });
  const today = todayInBrussels();
  const urgent = request.status !== 'delivered' && request.needed_by <= today;
  const item = h('li', { class: 'request', 'data-request-id': id, 'data-status': request.status, tabindex: -1 },
    h('div', { class: 'request-main' },
      h('div', { class: 'request-head' },
        h('strong', {}, municipalityLabel(names, request.municipality_nis)),
        h('span', { class: `badge status-${request.status}` }, t(`requestStatus.${request.status}`)),
        h('span', { class: urgent ? 'needed urgent' : 'needed' },
          t('staff.requests.neededBy', { day: day(request.needed_by) }), urgent ? ` · ${t('staff.requests.urgent')}` : '')),
      h('ul', { class: 'lines', 'aria-label': t('staff.requests.lines') }, request.lines.map((l) => {
        const material = state.catalogue.get(l.material_code);
        return h('li', { 'data-material': l.material_code },
          t('staff.requests.line', { quantity: number(l.quantity), name: material?.name ?? l.material_code }),
          material && request.status === 'submitted'
            ? h('span', { class: 'muted avail', 'data-material': l.material_code }, ` (${t('staff.requests.available', { count: number(material.available) })})`)
            : null);
      })),
      h('p', { class: 'request-address' }, t('staff.requests.address', { address: request.delivery_address })),
      request.note ? h('p', { class: 'request-note' }, t('staff.requests.note', { note: request.note })) : null,
      request.rejection_reason ? h('p', { class: 'request-note' }, t('staff.requests.rejectedBecause', { reason: request.rejection_reason })) : null,
      h('p', { class: 'muted request-created' }, t('staff.requests.created', { when: dateTime(request.created_at) }))),
    h('div', { class: 'request-side' }, buttons, reason),
    message);

  const move = async (action, body) => {
    for (const b of item.querySelectorAll('button')) b.disabled = true;
    fill(message, h('p', { class: 'muted' }, t('staff.requests.busy')));
    try {
      const moved = await api(`/material-requests/${id}/${action}`, { method: 'POST', body });
      state.messages.delete(id);
      announce(t(`staff.requests.done.${action}`, { name: municipalityLabel(names, request.municipality_nis) }));
      await loadStock();
      // The request changes in place (nothing else in the queue moves); the counts follow.
      const fresh = requestItem(moved ?? request, names);
      item.replaceWith(fresh);
      updateCounts();
      fresh.focus();
    } catch (error) {
      const shown = notice('error', messageOf(error, t));
      state.messages.set(id, shown);
      fill(message, shown);
      for (const b of item.querySelectorAll('button')) b.disabled = false;
      loadStock();
    }
  };

  for (const action of movesOf(request)) {
    if (action === 'reject') {
      const input = h('input', { id: `reason-${id}`, type: 'text', maxlength: 500, required: true });
      const form = h('form', { class: 'row' },
        h('div', {}, h('label', { for: `reason-${id}` }, t('staff.requests.reason')), input),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', 'data-action': 'reject-confirm' }, t('staff.requests.rejectConfirm')),
          h('button', { type: 'button', class: 'secondary', onclick: () => { reason.hidden = true; } }, t('common.cancel'))));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        move('reject', { reason: input.value });
      });
      fill(reason, form);
      buttons.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'reject', onclick: () => { reason.hidden = false; input.focus(); } }, t('staff.requests.action.reject')));
    } else {
      buttons.append(h('button', {
        type: 'button', class: action === 'cancel' ? 'secondary' : null, 'data-action': action, onclick: () => move(action),
      }, t(`staff.requests.action.${action}`)));
    }
  }
  if (!buttons.childElementCount) buttons.append(h('p', { class: 'muted' }, t('staff.requests.nothingToDo')));
  return item;
}

/** The number of requests per status, counted from the queue as it stands. */
function updateCounts() {
  const counts = state.queueEl.querySelector('.queue-counts');
  if (!counts) return;
  fill(counts, QUEUE.map((s) => h('span', { class: `badge status-${s}` },
    `${t(`requestStatus.${s}`)}: ${number(state.queueEl.querySelectorAll(`li.request[data-status="${s}"]`).length)}`)));
}

async function loadQueue(stockReady = null) {
  const where = state.queueEl;
  try {
    const [names, ...lists] = await Promise.all([
      municipalityNames(),
      ...QUEUE.map((status) => listAll(`/material-requests?status=${status}&limit=200`, 1000)),
    ]);
    await stockReady;
    const all = lists.flat();
    fill(where,
      h('div', { class: 'queue-bar' },
        h('p', { class: 'queue-counts' }),
        h('button', { type: 'button', class: 'secondary small', id: 'queue-refresh', onclick: () => loadQueue(loadStock()) }, t('staff.requests.refresh'))),
      all.length ? null : h('p', { class: 'muted' }, t('staff.requests.empty')),
      scrollBox(t('staff.requests.title'), QUEUE.map((status, i) => (lists[i].length
        ? h('div', { class: 'queue-group', 'data-group': status },
          h('h4', {}, `${t(`requestStatus.${status}`)} (${number(lists[i].length)})`),
          h('ul', { class: 'items requests' }, lists[i].map((r) => requestItem(r, names))))
        : null)), true));
    updateCounts();
  } catch (error) {
    showError(where, error, loadQueue);
  }
}

/** Fills `where` with the request queue and the stock table. */
export async function loadMaterials(where) {
  state.queueEl = h('div', { id: 'request-queue', tabindex: -1 }, loading());
  state.stockEl = h('div', { class: 'stock-wrap' }, loading());
  fill(where,
    h('h3', {}, t('staff.stock.title')), state.stockEl,
    h('h3', {}, t('staff.requests.title')), state.queueEl);
  const stock = loadStock();
  await Promise.all([stock, loadQueue(stock)]);
}
