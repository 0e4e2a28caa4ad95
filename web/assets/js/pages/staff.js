// The staff dashboard for the week of 11 November: live totals, the map, what waits today, breakdowns, pacing,
// the material request queue with stock, cash deposits to close, the questions of municipalities, the 4th pillar (the fund,
// referrals to take on), groups and accounts, spreadsheet imports, and the webhooks to other systems.
// Each section loads on its own.
import { h, fill } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { api } from '../core/api.js';
import { requireRole } from '../core/session.js';
import { frame, section, notice } from '../core/layout.js';
import { day, todayInBrussels, euroRounded } from '../core/format.js';
import { registerServiceWorker } from '../core/offline.js';
import { showError, loading } from './staff/shared.js';
import { loadLive } from './staff/live.js';
import { loadMap } from './staff/map.js';
import { loadBreakdowns } from './staff/breakdowns.js';
import { loadPacing } from './staff/pacing.js';
import { loadMaterials } from './staff/materials.js';
import { loadGroups } from './staff/groups.js';
import { loadAccounts } from './staff/accounts.js';
import { loadQuestions } from './staff/questions.js';
import { loadFund } from './staff/fund.js';
import { loadInitiatives } from './staff/initiatives.js';
import { loadDeposits } from './staff/deposits.js';
import { loadWebhooks } from './staff/webhooks.js';
import { loadDigest } from './staff/digest.js';
import { loadImports } from './staff/imports.js';

/** The campaign running today (Brussels), else the latest one. */
export function pickCampaign(campaigns, today = todayInBrussels()) {
  const running = campaigns.find((c) => c.starts_on <= today && today <= c.ends_on);
  return running ?? [...campaigns].sort((a, b) => b.year - a.year)[0] ?? null;
}

const SECTIONS = [
  ['totals', 'staff.nav.totals'],
  ['municipalities', 'staff.nav.map'],
  ['today', 'staff.nav.today'],
  ['pacing', 'staff.nav.pacing'],
  ['breakdowns', 'staff.nav.breakdowns'],
  ['materials', 'staff.nav.materials'],
  ['deposits', 'staff.nav.deposits'],
  ['questions', 'staff.nav.questions'],
  ['fund', 'staff.nav.fund'],
  ['initiatives', 'staff.nav.initiatives'],
  ['groups', 'staff.nav.groups'],
  ['accounts', 'staff.nav.accounts'],
  ['imports', 'staff.nav.imports'],
  ['webhooks', 'staff.nav.webhooks'],
];

const me = requireRole('staff');
if (me) {
  const main = frame('staff.title', { nav: SECTIONS.map(([id, key]) => [`#${id}`, key]) });
  main.classList.add('staff-page');
  const campaignLine = h('p', { class: 'campaign-line muted', id: 'campaign-line' }, t('common.loading'));
  const body = Object.fromEntries(SECTIONS.map(([id]) => [id, h('div', { class: 'section-body' }, loading())]));
  const intro = {
    municipalities: h('p', { class: 'muted' }, t('staff.map.intro')),
    breakdowns: h('p', { class: 'muted' }, t('staff.breakdowns.intro')),
    materials: h('p', { class: 'muted' }, t('staff.requests.intro')),
    deposits: h('p', { class: 'muted' }, t('staff.deposits.intro')),
    questions: h('p', { class: 'muted' }, t('staff.questions.intro')),
    fund: h('p', { class: 'muted' }, t('staff.fund.intro')),
    initiatives: h('p', { class: 'muted' }, t('staff.pillar.intro')),
    webhooks: h('p', { class: 'muted' }, t('staff.webhooks.intro')),
    imports: h('p', { class: 'muted' }, t('staff.imports.intro')),
    today: h('p', { class: 'muted' }, t('staff.digest.intro')),
  };
  const sectionOf = ([id, key]) => section(id, key.replace('.nav.', '.section.'), intro[id] ?? null, body[id]);
  main.append(
    campaignLine,
    h('div', { class: 'staff-top' }, sectionOf(SECTIONS[0]), sectionOf(SECTIONS[1])),
    ...SECTIONS.slice(2).map(sectionOf),
  );

  // What needs no campaign starts at once.
  loadMaterials(body.materials);
  loadQuestions(body.questions);
  loadFund(body.fund);
  loadInitiatives(body.initiatives);
  loadGroups(body.groups);
  loadAccounts(body.accounts);
  loadWebhooks(body.webhooks);
  loadDigest(body.today);
  // What an import changed shows in its sections at once.
  loadImports(body.imports, (kind) => {
    if (kind === 'materials') loadMaterials(body.materials);
    else {
      loadGroups(body.groups);
      loadAccounts(body.accounts);
    }
  });

  const start = async () => {
    try {
      const { items = [] } = await api('/campaigns');
      const campaign = pickCampaign(items);
      if (!campaign) {
        fill(campaignLine, notice('info', t('staff.noCampaign')));
        for (const id of ['totals', 'municipalities', 'pacing', 'breakdowns']) fill(body[id], h('p', { class: 'muted' }, t('staff.noCampaign')));
        loadDeposits(body.deposits, null);
        return;
      }
      const year = campaign.year;
      fill(campaignLine, t('staff.campaign', {
        year, from: day(campaign.starts_on), to: day(campaign.ends_on), target: euroRounded(campaign.target_cents),
      }));
      loadLive(body.totals, year);
      loadPacing(body.pacing, year);
      loadBreakdowns(body.breakdowns, year);
      loadDeposits(body.deposits, year);
      // The map is the heaviest answer: it never holds up the rest.
      loadMap(body.municipalities, year);
    } catch (error) {
      showError(campaignLine, error, start);
    }
  };
  start();
}

registerServiceWorker();
