// The thermometer and the campaign's totals, kept live by the SSE stream.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { followEvents } from '../../core/sse.js';
import { euro, euroRounded, number } from '../../core/format.js';
import { showError, loading } from './shared.js';

const KINDS = ['sale', 'activity_income', 'donation', 'correction'];

/** Fills `where` with the thermometer of `year` and follows the live totals. */
export async function loadLive(where, year) {
  fill(where, loading());
  let totals;
  try {
    totals = await api(`/campaigns/${year}/totals`);
  } catch (error) {
    showError(where, error, () => loadLive(where, year));
    return;
  }
  const raised = h('p', { class: 'figure' });
  const target = h('p', { class: 'sub' });
  const bar = h('span', {});
  const meter = h('div', {
    class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': t('staff.live.progress'),
  }, bar);
  const state = h('p', { id: 'live-state', class: 'live-state', 'data-state': 'connecting', role: 'status' }, t('staff.live.connecting'));
  const thermometer = h('div', { id: 'thermometer', class: 'thermometer', 'data-raised-cents': totals.raised_cents },
    h('div', { class: 'thermo-head' }, h('div', {}, raised, target), state), meter);
  const card = (labelKey) => {
    const figure = h('p', { class: 'figure' });
    return { figure, element: h('div', { class: 'card' }, h('p', { class: 'sub' }, t(labelKey)), figure) };
  };
  const entries = card('staff.live.entries');
  const groups = card('staff.live.groups');
  const municipalities = card('staff.live.municipalities');
  const kinds = h('dl', { class: 'kinds' });
  const updated = h('p', { class: 'muted updated' });
  fill(where, thermometer,
    h('div', { class: 'cards totals-cards' }, entries.element, groups.element, municipalities.element),
    kinds, updated);

  const show = (next) => {
    if (next.campaign_year !== undefined && Number(next.campaign_year) !== Number(year)) return;
    thermometer.dataset.raisedCents = String(next.raised_cents);
    fill(raised, euro(next.raised_cents));
    const pct = next.target_cents > 0 ? (next.raised_cents / next.target_cents) * 100 : 0;
    fill(target, t('staff.live.ofTarget', { target: euroRounded(next.target_cents), pct: pct.toFixed(1).replace('.', ',') }));
    bar.style.width = `${Math.min(100, Math.max(0, pct)).toFixed(2)}%`;
    meter.setAttribute('aria-valuenow', Math.min(100, Math.round(pct)));
    fill(entries.figure, number(next.entries));
    fill(groups.figure, number(next.groups_reporting));
    fill(municipalities.figure, t('staff.live.ofAll', { count: number(next.municipalities_reporting) }));
    const byKind = new Map((next.by_kind ?? []).map((k) => [k.kind, k]));
    fill(kinds, KINDS.filter((k) => byKind.has(k)).map((k) => h('div', {},
      h('dt', {}, t(`kind.${k}`)),
      h('dd', {}, euro(byKind.get(k).raised_cents), ' ', h('span', { class: 'muted' }, t('common.entries', { count: number(byKind.get(k).entries) }))))));
    fill(updated, t('staff.live.updated', { time: new Date().toLocaleTimeString('nl-BE', { timeZone: 'Europe/Brussels' }) }));
  };
  show(totals);

  const stop = followEvents(`/api/v1/campaigns/${year}/totals/stream`, (type, data) => {
    if (type !== 'totals') return;
    try {
      show(JSON.parse(data));
    } catch {
      // A broken event is skipped; the next one brings the whole totals again.
    }
  }, {
    onState: (s) => {
      state.dataset.state = s;
      fill(state, t(s === 'live' ? 'staff.live.live' : 'staff.live.reconnecting'));
    },
  });
  window.addEventListener('pagehide', stop, { once: true });
}
