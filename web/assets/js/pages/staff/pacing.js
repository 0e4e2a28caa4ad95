// Pacing: this campaign's cumulative money per day against the previous campaign's same day.
import { h, fill } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { lineChart } from '../../core/chart.js';
import { euro, euroRounded, day, todayInBrussels } from '../../core/format.js';
import { showError, loading, table, csvButton, scrollBox } from './shared.js';

/** Fills `where` with the pacing chart of `year`. */
export async function loadPacing(where, year) {
  const path = `/campaigns/${year}/pacing`;
  fill(where, loading());
  let pacing;
  try {
    pacing = await api(path);
  } catch (error) {
    showError(where, error, () => loadPacing(where, year));
    return;
  }
  const days = pacing.days ?? [];
  const today = todayInBrussels();
  // Days still to come have no figure of this year yet.
  const thisYear = days.map((d) => (d.date <= today ? d.cumulative_cents : null));
  const previous = pacing.previous_campaign_year;
  const series = [{ label: t('staff.pacing.thisYear', { year: pacing.campaign_year ?? year }), class: 'this-year', values: thisYear }];
  if (previous) series.push({ label: t('staff.pacing.lastYear', { year: previous }), class: 'last-year', values: days.map((d) => d.previous_cumulative_cents) });
  const chart = lineChart({
    series,
    labels: days.map((d) => day(d.date)),
    format: (cents) => euroRounded(cents),
    title: t('staff.pacing.chartTitle', { year: pacing.campaign_year ?? year }),
  });
  const latest = [...days].reverse().find((d) => d.date <= today);
  let summary = t('staff.pacing.notStarted');
  if (latest) {
    const before = latest.previous_cumulative_cents;
    summary = before === null || before === undefined
      ? t('staff.pacing.todayOnly', { day: latest.day, amount: euro(latest.cumulative_cents) })
      : t('staff.pacing.today', {
        day: latest.day,
        amount: euro(latest.cumulative_cents),
        previous: euro(before),
        year: previous,
        diff: before > 0 ? `${latest.cumulative_cents >= before ? '+' : ''}${(((latest.cumulative_cents - before) / before) * 100).toFixed(1).replace('.', ',')} %` : '–',
      });
  }
  const details = h('details', { class: 'pacing-table' },
    h('summary', {}, t('staff.pacing.asTable')),
    scrollBox(t('staff.pacing.asTable'), table({
      caption: t('staff.pacing.chartTitle', { year: pacing.campaign_year ?? year }),
      columns: [
        { label: t('staff.pacing.day') }, { label: t('staff.pacing.date') },
        { label: t('staff.pacing.raisedThatDay'), num: true }, { label: t('staff.pacing.cumulative'), num: true },
        { label: t('staff.pacing.previousCumulative'), num: true },
      ],
      rows: days.filter((d) => d.date <= today).map((d) => [
        String(d.day), day(d.date), euro(d.raised_cents), euro(d.cumulative_cents),
        d.previous_cumulative_cents === null || d.previous_cumulative_cents === undefined ? '–' : euro(d.previous_cumulative_cents),
      ]),
    })));
  fill(where,
    h('div', { class: 'table-head' }, h('p', { class: 'pacing-summary' }, summary), csvButton(path, `${year}-pacing.csv`)),
    chart, details);
}
