// "My municipality at a glance": one call to the overview when the server has it, else the same
// figures from the separate lists (without last year's same-day figure, which only it knows).
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, listAll, ApiError, messageOf } from '../../core/api.js';
import { euro, number, date, time, brusselsYear } from '../../core/format.js';
import { notice } from '../../core/layout.js';

const STATUSES = ['submitted', 'approved', 'shipped', 'delivered', 'returned', 'rejected', 'cancelled'];

/** Loads the overview (or its fallback) for municipality `nis`, in the shape of the overview. */
let overviewMissing = false;

export async function loadOverview(nis) {
  if (overviewMissing) return fallback(nis);
  try {
    return await api(`/municipalities/${encodeURIComponent(nis)}/overview`);
  } catch (error) {
    // A server without the overview yet: the same figures from the separate lists (a real
    // "not yours" 404 comes back from those too). Not asked again until the page is reloaded.
    if (!(error instanceof ApiError) || ![404, 405].includes(error.status)) throw error;
    overviewMissing = true;
  }
  return fallback(nis);
}

async function fallback(nis) {
  const year = brusselsYear();
  const code = encodeURIComponent(nis);
  const totals = (y) => api(`/campaigns/${y}/totals`).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  const [municipality, groups, activities, current, previous, requests] = await Promise.all([
    api(`/municipalities/${code}`),
    listAll(`/groups?municipality_nis=${code}&limit=500`, 500),
    api(`/activities?municipality_nis=${code}&from=${encodeURIComponent(new Date().toISOString())}&limit=20`),
    totals(year),
    totals(year - 1),
    listAll(`/material-requests?municipality_nis=${code}&limit=500`),
  ]);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const r of requests) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return {
    municipality: {
      nis_code: municipality.nis_code, name_nl: municipality.name_nl, name_fr: municipality.name_fr, province: municipality.province,
    },
    campaign_year: current?.campaign_year ?? year,
    previous_campaign_year: previous?.campaign_year ?? null,
    raised_cents: current?.raised_cents ?? 0,
    entries: current?.entries ?? 0,
    raised_cents_last_year_same_day: null,
    // Only in the fallback: the previous campaign's whole figure, labelled as such.
    raised_cents_last_year_whole: previous?.raised_cents ?? null,
    groups: groups.map((g) => ({ id: g.id, name: g.name, active: g.active })),
    upcoming_activities: (activities.items ?? [])
      .filter((a) => a.status !== 'cancelled')
      .map((a) => ({ ...a, address: a.location?.address ?? null })),
    requests_by_status: byStatus,
    requests,
  };
}

/** Fills the overview section `root` (its heading kept) from an overview answer. */
export function renderOverview(body, o) {
  const name = o.municipality.name_nl;
  const groupName = new Map(o.groups.map((g) => [g.id, g.name]));
  fill(body,
    h('p', { class: 'muted', id: 'overview-municipality', 'data-nis': o.municipality.nis_code },
      t('contact.overview.heading', { name, province: t(`contact.province.${o.municipality.province}`), year: o.campaign_year })),
    h('div', { class: 'cards' },
      h('div', { class: 'card', id: 'raised', 'data-raised-cents': String(o.raised_cents), 'data-campaign-year': String(o.campaign_year) },
        h('div', { class: 'sub' }, t('contact.overview.raised', { name })),
        h('div', { class: 'figure' }, euro(o.raised_cents)),
        h('div', { class: 'sub' }, t('contact.overview.raisedSub', { year: o.campaign_year, entries: t('common.entries', { count: number(o.entries) }) }))),
      lastYearCard(o),
      h('div', { class: 'card' },
        h('div', { class: 'sub' }, t('contact.overview.groups')),
        h('div', { class: 'figure' }, number(o.groups.filter((g) => g.active).length))),
      h('div', { class: 'card' },
        h('div', { class: 'sub' }, t('contact.overview.openRequests')),
        h('div', { class: 'figure' }, number(['submitted', 'approved', 'shipped'].reduce((n, s) => n + (o.requests_by_status?.[s] ?? 0), 0))),
        h('div', { class: 'sub' }, h('a', { href: '#follow' }, t('contact.nav.requests'))))),
    h('div', { class: 'contact-glance' },
      h('div', {},
        h('h3', {}, t('contact.overview.activities')),
        activityList(o.upcoming_activities, groupName)),
      h('div', {},
        h('h3', {}, t('contact.overview.groups')),
        o.groups.length
          ? h('ul', { class: 'items', id: 'overview-groups' }, o.groups.map((g) => h('li', { 'data-group-id': g.id },
              g.name, g.active ? null : [' ', h('span', { class: 'badge waiting' }, t('contact.overview.inactive'))])))
          : h('p', { class: 'muted' }, t('contact.overview.noGroups')),
        h('h3', {}, t('contact.overview.requests')),
        requestCounts(o.requests_by_status),
        beyondNovember(o))));
}

/** Its programmes, open questions and inquiries (only the overview itself knows them). */
function beyondNovember(o) {
  if (!o.engagements) return null;
  const programmeName = (code) => code.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
  return [
    h('h3', {}, t('contact.overview.beyond')),
    h('ul', { class: 'contact-counts', id: 'overview-beyond' },
      o.engagements.map((e) => h('li', { 'data-programme': e.programme },
        h('a', { href: '#programmes' }, programmeName(e.programme)), ': ', t(`contact.programmes.status.${e.status}`))),
      h('li', { 'data-open': 'questions' },
        h('span', { class: 'contact-count' }, number(o.open_questions)), ' ',
        h('a', { href: '#questions' }, t('contact.overview.openQuestions'))),
      h('li', { 'data-open': 'inquiries' },
        h('span', { class: 'contact-count' }, number(o.open_inquiries)), ' ',
        h('a', { href: '#offers' }, t('contact.overview.openInquiries')))),
  ];
}

function lastYearCard(o) {
  const sameDay = o.raised_cents_last_year_same_day;
  const whole = o.raised_cents_last_year_whole;
  if (o.previous_campaign_year === null || o.previous_campaign_year === undefined || (sameDay == null && whole == null)) {
    return h('div', { class: 'card', id: 'last-year' },
      h('div', { class: 'sub' }, t('contact.overview.lastYear')),
      h('p', {}, t('contact.overview.noLastYear')));
  }
  if (sameDay == null) {
    return h('div', { class: 'card', id: 'last-year', 'data-raised-cents': String(whole) },
      h('div', { class: 'sub' }, t('contact.overview.lastYearWhole')),
      h('div', { class: 'figure' }, euro(whole)),
      h('div', { class: 'sub' }, t('contact.overview.lastYearWholeSub', { year: o.previous_campaign_year })));
  }
  const diff = o.raised_cents - sameDay;
  const compare = diff === 0
    ? t('contact.overview.even')
    : t(diff > 0 ? 'contact.overview.ahead' : 'contact.overview.behind', { amount: euro(Math.abs(diff)) });
  return h('div', { class: 'card', id: 'last-year', 'data-raised-cents': String(sameDay) },
    h('div', { class: 'sub' }, t('contact.overview.lastYear')),
    h('div', { class: 'figure' }, euro(sameDay)),
    h('div', { class: 'sub' }, t('contact.overview.lastYearSub', { year: o.previous_campaign_year })),
    h('div', { class: `sub ${diff >= 0 ? 'contact-ahead' : 'contact-behind'}` }, compare));
}

function activityList(activities, groupName) {
  if (!activities?.length) return h('p', { class: 'muted' }, t('contact.overview.noActivities'));
  return h('ul', { class: 'items', id: 'overview-activities' }, activities.map((a) => {
    const sameDay = date(a.starts_at) === date(a.ends_at);
    const when = sameDay
      ? `${date(a.starts_at)} ${time(a.starts_at)}–${time(a.ends_at)}`
      : `${date(a.starts_at)} ${time(a.starts_at)} – ${date(a.ends_at)} ${time(a.ends_at)}`;
    return h('li', { 'data-activity-id': a.id },
      h('div', { class: 'contact-when' }, h('time', { datetime: a.starts_at }, when)),
      h('div', {}, h('strong', {}, a.title), ' ',
        h('span', { class: 'badge' }, t(`activityKind.${a.kind}`)),
        a.public ? [' ', h('span', { class: 'badge ok' }, t('contact.overview.public'))] : null,
        a.status !== 'planned' ? [' ', h('span', { class: 'badge waiting' }, t(`activityStatus.${a.status}`))] : null),
      h('div', { class: 'muted' }, [
        groupName.get(a.group_id) ? t('contact.overview.by', { group: groupName.get(a.group_id) }) : null,
        a.address,
      ].filter(Boolean).join(' · ')));
  }));
}

function requestCounts(byStatus) {
  const shown = STATUSES.filter((s) => (byStatus?.[s] ?? 0) > 0);
  if (!shown.length) return h('p', { class: 'muted' }, t('contact.overview.noRequests'));
  return h('ul', { class: 'contact-counts', id: 'overview-requests' }, shown.map((s) => h('li', { 'data-status': s },
    h('span', { class: 'contact-count' }, number(byStatus[s])), ' ', t(`requestStatus.${s}`))));
}

/** The overview failed: say why, in the section. */
export function overviewFailed(body, error) {
  fill(body, notice('error', t('contact.overview.failed', { detail: messageOf(error, t) })));
}
