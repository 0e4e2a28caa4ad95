// The public page: the campaign thermometer (kept fresh) and what's on near me, on a map and as a
// list. No sign-in.
import { h, fill, announce } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, section, notice } from '../core/layout.js';
import { api, messageOf } from '../core/api.js';
import { euro, euroRounded, date, time, brusselsYear } from '../core/format.js';
import { drawMap } from '../core/svgmap.js';
import { registerServiceWorker } from '../core/offline.js';

const REFRESH_MS = 30_000;
const RADIUS_KM = 10;

const main = frame('public.title');
main.append(h('p', { class: 'lead' }, t('public.intro')));

// ---- thermometer ---------------------------------------------------------------------------
const thermometer = h('div', { id: 'thermometer', class: 'thermometer', 'data-raised-cents': '' }, t('common.loading'));
main.append(section('campaign', 'public.thermometerTitle', thermometer));

async function thermometerOf(year) {
  try {
    return await api(`/public/campaigns/${year}/thermometer`, { anonymous: true });
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

let campaignYear = null;
async function showThermometer() {
  try {
    let figures = null;
    if (campaignYear) figures = await thermometerOf(campaignYear);
    else {
      // The campaign of this year, else last year's (before this year's is set up).
      for (const year of [brusselsYear(), brusselsYear() - 1]) {
        figures = await thermometerOf(year);
        if (figures) { campaignYear = year; break; }
      }
    }
    if (!figures) {
      fill(thermometer, notice('info', t('public.noCampaign')));
      return;
    }
    const share = figures.target_cents > 0 ? Math.min(1, figures.raised_cents / figures.target_cents) : 0;
    const bar = h('span', {});
    bar.style.width = `${(share * 100).toFixed(1)}%`;
    thermometer.dataset.raisedCents = String(figures.raised_cents);
    fill(thermometer,
      h('p', { class: 'figure', id: 'thermometer-raised' }, euroRounded(figures.raised_cents)),
      h('div', { class: 'bar', role: 'progressbar', 'aria-label': t('public.progress'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(share * 100) }, bar),
      h('p', { class: 'muted' }, t('public.ofTarget', { target: euroRounded(figures.target_cents), year: figures.campaign_year ?? campaignYear })));
  } catch (error) {
    if (!thermometer.dataset.raisedCents) fill(thermometer, notice('error', messageOf(error, t)));
  }
}
showThermometer();
setInterval(() => { if (!document.hidden) showThermometer(); }, REFRESH_MS);

// ---- agenda near me --------------------------------------------------------------------------
const placeInput = h('input', { id: 'place', type: 'search', autocomplete: 'off', 'aria-describedby': 'place-hint' });
const placeResults = h('ul', { id: 'place-results', class: 'items' });
const status = h('div', { id: 'agenda-status' });
const mapBox = h('div', { id: 'agenda-map' });
const mapInfo = h('p', { class: 'map-info', 'aria-live': 'polite' });
const list = h('ul', { id: 'agenda-list', class: 'items' });
const locate = h('button', { type: 'button', id: 'use-location', class: 'secondary' }, t('public.useLocation'));
const searchForm = h('form', { id: 'place-form', role: 'search' },
  h('label', { for: 'place' }, t('public.placeLabel')),
  h('p', { id: 'place-hint', class: 'muted' }, t('public.placeHint')),
  h('div', { class: 'row' }, placeInput, h('button', { type: 'submit', id: 'place-search' }, t('public.search'))),
  placeResults);
main.append(section('agenda', 'public.agendaTitle',
  h('div', { class: 'actions' }, locate), searchForm, status,
  h('div', { class: 'two-columns' }, h('div', {}, mapBox, mapInfo), list)));

locate.addEventListener('click', () => {
  if (!navigator.geolocation) {
    fill(status, notice('error', t('public.noGeolocation')));
    return;
  }
  fill(status, notice('info', t('public.locating')));
  navigator.geolocation.getCurrentPosition(
    (pos) => showNear({ lon: pos.coords.longitude, lat: pos.coords.latitude }, t('public.yourLocation')),
    () => fill(status, notice('error', t('public.locationRefused'))),
    { enableHighAccuracy: false, timeout: 10_000, maximumAge: 300_000 },
  );
});

searchForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const q = placeInput.value.trim();
  if (q.length < 2) {
    fill(status, notice('error', t('public.placeTooShort')));
    return;
  }
  try {
    const found = await api(`/public/municipalities?q=${encodeURIComponent(q)}`, { anonymous: true });
    const items = (found.items ?? []).filter((m) => m.centre);
    if (!items.length) {
      fill(placeResults);
      fill(status, notice('error', t('public.placeUnknown', { q })));
      return;
    }
    if (items.length === 1) {
      fill(placeResults);
      showNear(items[0].centre, items[0].name_nl);
      return;
    }
    fill(status, notice('info', t('public.pickPlace')));
    fill(placeResults, items.slice(0, 10).map((m) => h('li', {},
      h('button', { type: 'button', class: 'link', onclick: () => { fill(placeResults); showNear(m.centre, m.name_nl); } }, `${m.name_nl} (${m.province})`))));
  } catch (error) {
    fill(status, notice('error', messageOf(error, t)));
  }
});

async function showNear(point, placeName) {
  fill(status, notice('info', t('common.loading')));
  const near = `${point.lon.toFixed(5)},${point.lat.toFixed(5)}`;
  const from = new Date().toISOString();
  try {
    const page = await api(`/public/activities?near=${near}&radius_km=${RADIUS_KM}&from=${encodeURIComponent(from)}&limit=50`, { anonymous: true });
    const activities = page.items ?? [];
    fill(status, notice('ok', t('public.found', { count: activities.length, place: placeName, km: RADIUS_KM })));
    announce(t('public.found', { count: activities.length, place: placeName, km: RADIUS_KM }));
    fill(list, activities.length ? activities.map(activityItem) : h('li', { class: 'muted' }, t('public.nothingNear')));
    await drawAgendaMap(point, activities);
  } catch (error) {
    fill(status, notice('error', messageOf(error, t)));
  }
}

function activityItem(a) {
  const km = a.distance_m === undefined ? '' : ` · ${t('public.distance', { km: (a.distance_m / 1000).toFixed(1).replace('.', ',') })}`;
  return h('li', { 'data-activity-id': a.id },
    h('strong', {}, a.title),
    h('div', { class: 'muted' }, `${t(`activityKind.${a.kind}`)} · ${date(a.starts_at)} ${time(a.starts_at)}–${time(a.ends_at)}${km}`),
    a.location?.address ? h('div', {}, a.location.address) : null,
    a.description ? h('p', {}, a.description) : null);
}

async function drawAgendaMap(point, activities) {
  const dLon = 0.2;
  const dLat = 0.12;
  const bbox = [point.lon - dLon, point.lat - dLat, point.lon + dLon, point.lat + dLat].map((v) => v.toFixed(5)).join(',');
  let features = [];
  try {
    const outlines = await api(`/public/municipalities/outlines?bbox=${bbox}`, { anonymous: true, accept: 'application/geo+json' });
    features = outlines.features ?? [];
  } catch {
    // Without outlines the points still show.
  }
  const points = activities.filter((a) => a.location).map((a) => ({ lon: a.location.lon, lat: a.location.lat, label: `${a.title}, ${date(a.starts_at)}` }));
  points.push({ lon: point.lon, lat: point.lat, label: t('public.here'), class: 'here', radius: 7 });
  const map = drawMap({
    features,
    label: (f) => f.properties?.name_nl ?? '',
    points,
    title: t('public.mapTitle', { count: activities.length }),
    onSelect: (_, text) => { mapInfo.textContent = text; },
  });
  fill(mapBox, map);
}

registerServiceWorker();
