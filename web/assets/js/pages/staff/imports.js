// Importing a spreadsheet (CSV or XLSX): groups with their volunteers, or materials with their
// stock. A dry run first shows per row what would be created, changed or refused and why; only a
// file without refused rows can then be imported, all at once.
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { notice } from '../../core/layout.js';
import { number } from '../../core/format.js';
import { table } from './shared.js';

const KINDS = ['groups', 'materials'];

/** Fills `where` with the import form; `onImported(kind)` runs after a real import. */
export function loadImports(where, onImported = () => {}) {
  const kind = h('select', { id: 'import-kind' },
    KINDS.map((k) => h('option', { value: k }, t(`staff.imports.kind.${k}`))));
  const columns = h('p', { id: 'import-columns', class: 'muted' });
  const file = h('input', {
    id: 'import-file', type: 'file', required: true,
    accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const showColumns = () => fill(columns, t(`staff.imports.columns.${kind.value}`));
  const reset = () => fill(result);
  kind.addEventListener('change', () => { showColumns(); reset(); });
  file.addEventListener('change', reset);

  const form = h('form', { id: 'import-form', class: 'stacked' },
    h('label', { for: kind.id }, t('staff.imports.what')), kind, columns,
    h('label', { for: file.id }, t('staff.imports.file')), file,
    h('button', { type: 'submit', id: 'import-dry-run' }, t('staff.imports.dryRun')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    await run(result, kind.value, chosen, true, onImported);
  });
  showColumns();
  fill(where, form, result);
}

async function run(result, kind, file, dryRun, onImported) {
  fill(result, h('p', { class: 'muted' }, t('common.loading')));
  try {
    const report = await api(`/imports/${kind}?dry_run=${dryRun}`, { method: 'POST', file });
    showReport(result, kind, file, report, onImported);
    if (!dryRun) {
      announce(t('staff.imports.done', report.summary));
      onImported(kind);
    }
  } catch (error) {
    const rows = error?.problem?.errors ?? [];
    fill(result, notice('error', messageOf(error, t)),
      rows.length ? h('ul', { class: 'errors' }, rows.map((e) => h('li', {}, `${e.field}: ${e.message}`))) : null);
  }
}

function showReport(result, kind, file, report, onImported) {
  const s = report.summary;
  const summary = h('p', { id: 'import-summary', dataset: { refused: String(s.refused), applied: String(report.applied) } },
    t(report.dry_run ? 'staff.imports.summaryDry' : 'staff.imports.summary', {
      rows: number(s.rows), created: number(s.created), updated: number(s.updated),
      unchanged: number(s.unchanged), refused: number(s.refused),
    }));
  const rows = table({
    caption: t('staff.imports.caption', { file: file.name }),
    columns: [
      { label: t('staff.imports.row'), num: true }, { label: t('staff.imports.outcome') },
      { label: t('staff.imports.details') },
    ],
    attrs: { id: 'import-rows' },
    rows: report.rows.map((r) => ({
      attrs: { 'data-row': String(r.row), 'data-outcome': r.outcome, class: `outcome-${r.outcome}` },
      cells: [
        String(r.row),
        h('td', {}, h('span', { class: `badge ${r.outcome}` }, t(`staff.imports.outcomes.${r.outcome}`))),
        h('td', {},
          r.errors.length
            ? h('ul', { class: 'errors' }, r.errors.map((e) => h('li', {}, h('strong', {}, e.column), ': ', e.message)))
            : null,
          r.notes.length ? h('ul', { class: 'muted' }, r.notes.map((n) => h('li', {}, n))) : null),
      ],
    })),
  });
  const ignored = report.ignored_columns.length
    ? h('p', { class: 'muted' }, t('staff.imports.ignored', { columns: report.ignored_columns.join(', ') }))
    : null;
  let next = null;
  if (report.dry_run && s.refused > 0) {
    next = notice('error', t('staff.imports.fixFirst', { count: s.refused }));
  } else if (report.dry_run && s.created + s.updated === 0) {
    next = notice('info', t('staff.imports.nothing'));
  } else if (report.dry_run) {
    next = h('button', {
      type: 'button', id: 'import-apply',
      onclick: () => run(result, kind, file, false, onImported),
    }, t('staff.imports.apply', { count: s.created + s.updated }));
  } else if (report.applied) {
    next = h('div', { id: 'import-done' }, notice('ok', t('staff.imports.done', s)));
  } else {
    next = notice('info', t('staff.imports.nothing'));
  }
  fill(result, summary, next, ignored, rows);
}
