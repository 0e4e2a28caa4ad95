// What waits for staff today (the same digest that is mailed at 08:00): requests to approve,
// deliveries due, lent materials not back, quiet groups, cash waiting, open deposits, questions
// waiting more than two working days, webhooks switched off. Each line links to its section.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { day, dateTime, euro } from '../../core/format.js';
import { showError, loading } from './shared.js';

/** Fills `where` with today's digest. */
export async function loadDigest(where) {
  fill(where, loading());
  try {
    const d = await api('/digest');
    const block = (id, title, count, items, href) => h('li', { class: 'digest-item', dataset: { digest: id, count: String(count) } },
      h('a', { href }, h('strong', {}, String(count)), ' ', title),
      items.length ? h('ul', {}, items.slice(0, 5).map((line) => h('li', { class: 'muted' }, line))) : null);
    const list = h('ul', { id: 'digest-list', class: 'items digest' },
      block('requests', t('staff.digest.requests'), d.requests_waiting.length,
        d.requests_waiting.map((r) => `${r.municipality_name} · ${day(r.needed_by)}`), '#materials'),
      block('deliveries', t('staff.digest.deliveries'), d.deliveries_due.length,
        d.deliveries_due.map((r) => `${r.municipality_name} · ${day(r.needed_by)}`), '#materials'),
      block('returns', t('staff.digest.returns'), d.returns_overdue.length,
        d.returns_overdue.map((r) => `${r.municipality_name} · ${r.materials.join(', ')} · ${day(r.due_back)}`), '#materials'),
      block('quiet', t('staff.digest.quiet', { since: day(d.quiet_groups.since) }), d.quiet_groups.total,
        d.quiet_groups.items.map((g) => `${g.name} (${g.municipality_name})`), '#groups'),
      block('cash', t('staff.digest.cash', { days: d.cash_waiting.older_than_days, total: euro(d.cash_waiting.total_cents) }), d.cash_waiting.total,
        d.cash_waiting.items.map((c) => `${c.name} · ${euro(c.outstanding_cents)} · ${day(c.waiting_since)}`), '#deposits'),
      block('deposits', t('staff.digest.deposits'), d.open_deposits.short + d.open_deposits.over + d.open_deposits.matched,
        [t('staff.digest.depositLine', d.open_deposits)], '#deposits'),
      block('questions', t('staff.digest.questions'), d.unanswered_questions.length,
        d.unanswered_questions.map((q) => `${q.subject} · ${dateTime(q.waiting_since)}`), '#questions'),
      block('webhooks', t('staff.digest.webhooks'), d.disabled_webhooks.length,
        d.disabled_webhooks.map((w) => w.url), '#webhooks'));
    const mailed = d.mailed_at
      ? h('p', { class: 'muted' }, t('staff.digest.mailed', { at: dateTime(d.mailed_at) }))
      : h('p', { class: 'muted' }, t('staff.digest.notMailed'));
    fill(where, list, mailed);
  } catch (error) {
    showError(where, error, () => loadDigest(where));
  }
}
