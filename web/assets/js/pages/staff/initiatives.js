// The 4th pillar for staff: the referrals waiting to be taken on (take on, or close), the
// overviews of referrals, applications and trainings to download as CSV, and the trainings.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, downloadCsv, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import { showError, loading, municipalityNames, municipalityLabel } from './shared.js';
import { loadTrainings } from './trainings.js';

/** Fills `where` with the referral queue and the CSV downloads. */
export function loadInitiatives(where) {
  const list = h('ul', { id: 'referral-queue', class: 'items' });
  const downloads = h('div', { class: 'actions', id: 'fourth-pillar-csv' },
    ...['referrals', 'applications', 'trainings'].map((part) => {
      const button = h('button', { type: 'button', class: 'secondary', dataset: { part } }, t(`staff.pillar.csv.${part}`));
      button.addEventListener('click', () => downloadCsv(`/fourth-pillar/${part}`, `${part}.csv`).catch((error) => {
        fill(list, h('li', {}, notice('error', messageOf(error, t))));
      }));
      return button;
    }));
  const show = async () => {
    fill(list, h('li', {}, loading()));
    try {
      const [{ items }, names] = await Promise.all([api('/initiatives?status=referred&limit=200'), municipalityNames()]);
      fill(list, ...(items.length
        ? items.map((i) => referralItem(i, municipalityLabel(names, i.municipality_nis), show))
        : [h('li', { class: 'muted' }, t('staff.pillar.none'))]));
    } catch (error) {
      showError(list, error, show);
    }
  };
  const trainings = h('div', { id: 'staff-trainings' });
  fill(where, downloads, h('h3', {}, t('staff.pillar.queue')), list, trainings);
  show();
  loadTrainings(trainings);
}

function referralItem(i, municipality, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const move = (status) => async () => {
    try {
      await api(`/initiatives/${encodeURIComponent(i.id)}`, { method: 'PATCH', body: { status } });
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  };
  const takeOn = h('button', { type: 'button', dataset: { action: 'known' } }, t('staff.pillar.takeOn'));
  takeOn.addEventListener('click', move('known'));
  const close = h('button', { type: 'button', class: 'secondary', dataset: { action: 'inactive' } }, t('staff.pillar.close'));
  close.addEventListener('click', move('inactive'));
  return h('li', { class: 'referral', dataset: { initiativeId: i.id } },
    h('strong', {}, i.name), ' ',
    h('span', { class: 'muted' }, [municipality, i.contact_email].join(' · ')),
    h('div', { class: 'actions' }, takeOn, close), message);
}
