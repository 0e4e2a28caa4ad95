// The volunteer's page, phone first and working offline: log a sale in three taps, my group's
// activities, my group's figures against last year, the cash it hands in. Entries wait in the outbox until the server
// has them; the page says how many wait and sends them when the network is back.
import { h, fill, announce } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, notice } from '../core/layout.js';
import { requireRole } from '../core/session.js';
import { messageOf } from '../core/api.js';
import { dateTime } from '../core/format.js';
import { registerServiceWorker } from '../core/offline.js';
import { loadContext } from './volunteer/context.js';
import { salePanel } from './volunteer/sale.js';
import { showActivities } from './volunteer/activities.js';
import { showTotals } from './volunteer/totals.js';
import { showDeposits } from './volunteer/deposits.js';
import { items, send, forget, onChange } from './volunteer/outbox.js';

const RETRY_MS = 15_000;

const me = requireRole('volunteer');
if (me) start(me);

async function start(account) {
  const main = frame('volunteer.title');
  const status = h('div', { id: 'network-status', role: 'status' });
  const outboxBox = h('section', { id: 'outbox', 'aria-labelledby': 'outbox-title' });
  const panels = h('div', {});
  // The network state and what waits sit in a dock at the bottom of the screen: they change while
  // the volunteer taps, and must never move the buttons under their finger.
  main.classList.add('with-dock');
  document.documentElement.classList.add('has-dock');
  main.append(panels, h('div', { class: 'dock' }, status, outboxBox));
  registerServiceWorker();

  let context;
  try {
    context = await loadContext(account);
  } catch (error) {
    fill(panels, notice('error', messageOf(error, t)));
    return;
  }
  if (context.fromCache) fill(status, h('p', { class: 'offline-bar' }, t('volunteer.offlineSince', { when: dateTime(context.saved_at) })));
  main.querySelector('h1').textContent = `${t('volunteer.title')} · ${context.group.name}`;

  const tabs = [
    ['sale', 'volunteer.tabSale'],
    ['activities', 'volunteer.tabActivities'],
    ['totals', 'volunteer.tabTotals'],
    ['deposits', 'volunteer.tabDeposits'],
  ];
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('volunteer.tabsLabel') });
  const panelBoxes = {};
  for (const [id, key] of tabs) {
    const tab = h('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'aria-selected': 'false', tabindex: -1 }, t(key));
    tab.addEventListener('click', () => select(id));
    tab.addEventListener('keydown', (event) => {
      const index = tabs.findIndex(([tabId]) => tabId === id);
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        const next = tabs[(index + step + tabs.length) % tabs.length][0];
        select(next);
        document.getElementById(`tab-${next}`).focus();
      }
    });
    tabList.append(tab);
    panelBoxes[id] = h('div', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, hidden: true, tabindex: 0 });
  }
  fill(panels, tabList, Object.values(panelBoxes));

  function select(id) {
    for (const [tabId] of tabs) {
      const selected = tabId === id;
      const tab = document.getElementById(`tab-${tabId}`);
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panelBoxes[tabId].hidden = !selected;
    }
    if (id === 'totals') showTotals(panelBoxes.totals, context);
    if (id === 'activities') showActivities(panelBoxes.activities, context);
    if (id === 'deposits') showDeposits(panelBoxes.deposits, context);
  }

  fill(panelBoxes.sale, salePanel(context, () => sendNow()));
  select('sale');

  // ---- the outbox: what waits, sending it ----------------------------------------------------
  let sending = false;
  async function sendNow() {
    if (sending) return;
    sending = true;
    try {
      const outcome = await send();
      if (outcome.offline) {
        fill(status, h('p', { class: 'offline-bar' }, t('volunteer.offlineKept')));
      } else {
        fill(status);
        if (outcome.sent) announce(t('volunteer.sent', { count: outcome.sent }));
        if (!panelBoxes.totals.hidden) showTotals(panelBoxes.totals, context);
      }
    } catch (error) {
      fill(status, notice('error', messageOf(error, t)));
    } finally {
      sending = false;
      await showOutbox();
    }
  }

  async function showOutbox() {
    const all = await items();
    const waiting = all.filter((i) => i.state === 'waiting');
    const rejected = all.filter((i) => i.state === 'rejected');
    fill(outboxBox,
      h('h2', { id: 'outbox-title', class: 'sr-only' }, t('volunteer.outboxTitle')),
      h('p', { id: 'pending-count', 'data-count': waiting.length, class: waiting.length ? 'notice info' : 'muted' },
        waiting.length ? t('volunteer.waiting', { count: waiting.length }) : t('volunteer.nothingWaiting')),
      waiting.length ? h('button', { type: 'button', id: 'send-now', class: 'secondary', onclick: () => sendNow() }, t('volunteer.sendNow')) : null,
      rejected.length ? h('ul', { id: 'rejected', class: 'items' }, rejected.map((r) => h('li', { 'data-client-id': r.client_id },
        notice('error', t('volunteer.rejected', { error: r.error })),
        h('button', { type: 'button', class: 'link', onclick: () => forget(r.client_id) }, t('volunteer.dismiss'))))) : null);
  }

  onChange(showOutbox);
  await showOutbox();
  sendNow();
  window.addEventListener('online', () => sendNow());
  document.addEventListener('visibilitychange', () => { if (!document.hidden) sendNow(); });
  setInterval(async () => {
    if ((await items()).some((i) => i.state === 'waiting')) sendNow();
  }, RETRY_MS);
}
