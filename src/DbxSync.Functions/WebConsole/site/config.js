import { api, runNow, ApiError } from './api.js';
import { h, grid, field, formError, showProblem, clearProblems, announce, when, badge, bytes, duration } from './dom.js';
import { access, refresh } from './app.js';
import { TYPE_NAMES, summarize, nextCell, errorState } from './overview.js';
import { exportPosition } from './syncs.js';
import { previewPanel } from './datasets.js';
import { ProgressRate, drawProgress } from './runprogress.js';

const KNOWN_RUN_FIELDS = new Set(['run_id', 'config_id', 'trigger', 'outcome', 'started_at', 'finished_at', 'duration_ms', 'from_version', 'to_version',
  'rows', 'files', 'bytes', 'updated_rows', 'inserted_rows', 'subject', 'output', 'message', 'error']);

export async function configDetail(id) {
  const [{ data: config, etag }, all, runs] = await Promise.all([api.config(id), api.configs(), api.runs(id, 10).then((p) => p.items).catch(() => [])]);
  // The list row carries the last run and the stored probe; the live export check is a button (a warehouse statement).
  const listed = all.find((c) => c.id === config.id) ?? config;
  const summary = { ...summarize({ ...listed, ...config }), runs };
  const lag = listed.export_lag ?? null;
  const section = h('section', {});
  const partners = all.filter((c) => c.id !== config.id && c.databricks_path === config.databricks_path);
  const isTable = config.config_type.startsWith('table');

  section.append(
    h('h1', {}, config.name),
    h('p', { class: 'muted' }, TYPE_NAMES[config.config_type], ' · ', h('span', { class: 'path' }, config.databricks_path)),
    h('dl', { class: 'facts' },
      fact('Status', badge(config.status)),
      config.error_state ? fact('Error state', errorState(config)) : null,
      fact('Next due', nextCell(summary)),
      fact('Poll interval', `${config.poll_interval_seconds} s`
        + (config.max_poll_interval_seconds > config.poll_interval_seconds ? `, adaptive up to ${config.max_poll_interval_seconds} s` : '')),
      listed.last_checked_at ? fact('Last checked', [when(listed.last_checked_at), h('span', { class: 'muted' }, ' · no change since ', when(listed.unchanged_since))]) : null,
      config.config_type === 'table' ? fact('Export', exportCheck(config, lag)) : null,
      isTable ? fact('Key / label', `${config.pk_column} / ${config.label_column}`) : null,
      config.config_type === 'table_reverse' ? fact('Staging', stagingFact(config)) : null,
      config.inputs_table ? fact('Inputs table', h('span', { class: 'path' }, config.inputs_table)) : null,
      config.annotations_table ? fact('Annotations table', h('span', { class: 'path' }, config.annotations_table)) : null,
      config.inputs_manifest ? fact('Input manifest', `per run, URLs valid ${config.inputs_url_expiry_hours} h`) : null,
      config.export_format ? fact('Format', `${config.export_format} (input ← ${config.input_column})`) : null,
      config.description ? fact('Description', config.description) : null,
      partners.length ? fact('Same table', partners.map((p) => [h('a', { href: `#/syncs/${encodeURIComponent(p.id)}` }, p.name), ' '])) : null,
      fact('Id', h('span', { class: 'path' }, config.id))));

  const progress = h('div', { class: 'progress', hidden: true },
    h('label', { for: 'run-progress' }, 'Run progress'), h('progress', { id: 'run-progress' }), h('p', { id: 'run-stage', role: 'status' }));
  const actionsError = h('p', { class: 'field-error', role: 'alert', hidden: true });
  if (access.canWrite) {
    const paused = config.status === 'paused';
    section.append(h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' },
      h('button', { type: 'button', id: 'run-now', onclick: (ev) => run(config, ev.target, progress, actionsError) }, 'Run now'),
      h('button', { type: 'button', id: paused ? 'resume' : 'pause', onclick: () => act(() => (paused ? api.resume(config.id) : api.pause(config.id)), paused ? 'Resumed' : 'Paused', actionsError) }, paused ? 'Resume' : 'Pause'),
      h('button', { type: 'button', id: 'edit', onclick: () => editPanel.replaceChildren(editForm(config, etag)) }, 'Edit'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove(config, actionsError) }, 'Delete')),
    actionsError);
  }
  const editPanel = h('div', {});
  const preview = previewPanel(api, config);
  section.append(progress, editPanel, h('h2', {}, 'Runs'), runsTable(config, summary.runs));
  if (preview) section.append(preview.element);
  lastPreview = preview;
  // A run already going (the timer's, the CLI's, another tab's) is followed live too.
  const going = runs.find((r) => r.outcome === 'running' || r.outcome === 'queued');
  if (going) follow(config, going, progress);
  return section;
}

const fact = (k, v) => [h('dt', {}, k), h('dd', {}, v)];

/**
 * Without a staging volume, a labeled file above the row cap is not imported: it waits in labeled/ and the config is
 * in its error state (the reason names the missing staging volume). Say what fixes it.
 */
function stagingFact(config) {
  if (config.use_staging) return config.staging_volume_path;
  const waiting = /without a staging volume/.test(config.error_state?.reason ?? '');
  return [h('span', {}, 'none (rows sent as JSON parameters)'),
    waiting ? h('p', { class: 'error-text', id: 'staging-advice' },
      'A labeled file is too large to import without a staging volume and waits in labeled/. ',
      'Set a staging volume (Edit, then "Stage labeled files in a volume"): it is recommended for large files, and the waiting file is imported by the run that follows.') : null];
}

// The open config's preview: refreshed after a run, so the user sees at once that rows landed.
let lastPreview = null;

/** The stored probe's export position, and a button that asks the warehouse now (DESCRIBE HISTORY). */
function exportCheck(config, lag) {
  const shown = h('span', { id: 'export-position' }, lag ? exportPosition(lag) : h('span', { class: 'muted' }, 'no probe yet'));
  const check = h('button', { type: 'button', class: 'link', id: 'check-export', onclick: async () => {
    check.disabled = true;
    try {
      shown.replaceChildren(...[exportPosition({ ...(await api.exportLag(config.id)), probed_at: new Date().toISOString() })].flat());
      announce('Export position checked');
    } catch (e) {
      shown.replaceChildren(h('span', { class: 'field-error' }, e.message));
    } finally {
      check.disabled = false;
    }
  } }, 'Check now');
  return [shown, ' ', check];
}

async function act(fn, message, errorEl) {
  errorEl.hidden = true;
  try {
    await fn();
    announce(message);
    refresh();
  } catch (e) {
    errorEl.textContent = e.message;
    errorEl.hidden = false;
  }
}

async function remove(config, errorEl) {
  if (!confirm(`Delete the sync ${config.name}, its state and its run history?`)) return;
  await act(() => api.deleteConfig(config.id), 'Sync deleted', errorEl);
  location.hash = '#/syncs';
}

async function run(config, button, progress, errorEl) {
  button.disabled = true;
  errorEl.hidden = true;
  progress.hidden = false;
  const bar = progress.querySelector('progress');
  const stage = progress.querySelector('#run-stage');
  bar.removeAttribute('value');
  stage.textContent = 'Starting…';
  try {
    const rate = new ProgressRate();
    const result = await runNow(config.id, (p) => { rate.add(p.run ? p.run.progress : p); drawProgress(rate, bar, stage); });
    await finished(config, result, bar, stage);
  } catch (e) {
    progress.hidden = true;
    errorEl.textContent = e.message;
    errorEl.hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function finished(config, result, bar, stage) {
  bar.max = 1; bar.value = 1;
  stage.textContent = `Finished: ${result.outcome.replace('_', ' ')}${result.error ? ' · ' + result.error : result.message ? ' · ' + result.message : ''}`;
  announce(`Run finished: ${result.outcome}`);
  const table = document.getElementById('runs');
  table?.replaceWith(runsTable(config, (await api.runs(config.id)).items));
  if (lastPreview && result.outcome !== 'failed') await lastPreview.load();
}

/** Polls a run the page did not start, about once a second, until it ends or the view is left. */
async function follow(config, r, progress) {
  progress.hidden = false;
  const bar = progress.querySelector('progress');
  const stage = progress.querySelector('#run-stage');
  const rate = new ProgressRate();
  let run = r;
  try {
    while (run.outcome === 'running' || run.outcome === 'queued') {
      rate.add(run.progress);
      drawProgress(rate, bar, stage);
      await new Promise((done) => setTimeout(done, 1000));
      if (!progress.isConnected) return;
      run = await api.run(config.id, run.run_id);
    }
    await finished(config, run, bar, stage);
  } catch (e) {
    stage.textContent = e.message;
  }
}

function runsTable(config, runs) {
  if (runs.length === 0) return h('p', { id: 'runs' }, 'No runs yet.');
  const isFiles = config.config_type.startsWith('volume');
  return h('div', { class: 'table-wrap', id: 'runs' },
    grid(['Started', 'Outcome', 'Trigger', 'Versions', isFiles ? 'Files' : 'Rows', 'Bytes', 'Duration', 'Details'], runs.flatMap((r) => runRows(config, r, isFiles))));
}

function runRows(config, r, isFiles) {
  const versions = r.from_version !== null && r.from_version !== undefined ? `v${r.from_version}–v${r.to_version}` : r.to_version !== null && r.to_version !== undefined ? `v${r.to_version}` : '—';
  const count = isFiles ? r.files : [r.rows.toLocaleString(), r.updated_rows !== null && r.updated_rows !== undefined ? ` (${r.updated_rows} updated)` : ''];
  const detail = h('td', { class: 'details' },
    r.error ? h('p', { class: 'error-text' }, r.error) : r.message ? h('p', {}, r.message) : null,
    r.output ? h('p', { class: 'path' }, r.output) : null,
    skippedRows(r));
  const extra = h('tr', { class: 'run-errors', hidden: true }, h('td', { colspan: 8 }));
  if (r.outcome === 'failed' && (config.config_type === 'table_reverse' || config.config_type === 'annotations_reverse') && (r.output ?? '').startsWith('failed/')) {
    detail.append(h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', onclick: (ev) => toggleErrors(config, r, ev.target, extra) }, 'Show line errors'));
  }
  if (r.outcome === 'failed' && PERMISSION_FAILURE.test(r.error ?? '')) {
    detail.append(h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', onclick: (ev) => toggleGrants(config, ev.target, extra) }, 'Show the grants it needs'));
  }
  return [h('tr', { class: r.outcome === 'failed' ? 'row-failed' : '', dataset: { run: r.run_id } },
    h('td', {}, when(r.started_at)), h('td', {}, badge(r.outcome)), h('td', {}, r.trigger.replace('_', ' ')),
    h('td', {}, versions), h('td', {}, count), h('td', {}, bytes(r.bytes)), h('td', {}, duration(r.duration_ms)), detail), extra];
}

/** A run refused by Unity Catalog or the workspace for want of a privilege or entitlement. */
const PERMISSION_FAILURE = /PERMISSION_DENIED|INSUFFICIENT_PERMISSIONS|does not have|not authorized|entitlement/i;

/** The GRANT statements the config's principal needs (GET .../grants), beside the failed run. */
async function toggleGrants(config, button, extra) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  extra.hidden = open;
  if (open) return;
  const cell = extra.firstChild;
  cell.replaceChildren(h('p', {}, 'Loading…'));
  try {
    const grants = await api.grants(config.id);
    cell.replaceChildren(
      h('p', {}, `Run these as a workspace admin to let ${grants.principal} do this sync:`),
      h('pre', { class: 'grants' }, grants.statements.map((s) => s + ';').join('\n')),
      grants.warehouse_permission ? h('p', {}, `And CAN USE on warehouse ${grants.warehouse_permission.warehouse_id}: ${grants.warehouse_permission.method} ${grants.warehouse_permission.path} ${grants.warehouse_permission.body}`) : null);
  } catch (e) {
    cell.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, e.message));
  }
}

/** Rows the guarded MERGE skipped (changed or deleted since export), whatever the run record calls them. */
function skippedRows(r) {
  const entries = Object.entries(r).filter(([k, v]) => !KNOWN_RUN_FIELDS.has(k) && /stale|skipped|deleted/i.test(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== 0);
  if (entries.length === 0) return null;
  return h('div', { class: 'skipped' }, entries.map(([k, v]) => h('p', {}, h('strong', {}, k.replaceAll('_', ' ') + ': '),
    Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v))));
}

async function toggleErrors(config, r, button, extra) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  button.textContent = open ? 'Show line errors' : 'Hide line errors';
  extra.hidden = open;
  if (open || extra.dataset.loaded) return;
  const cell = extra.firstChild;
  try {
    const report = await api.runErrors(config.id, r.run_id);
    extra.dataset.loaded = '1';
    cell.replaceChildren(
      h('p', {}, `${report.error_count} error(s)${report.truncated ? ', the first ones shown' : ''}; the file is at ${report.moved_to ?? r.output}.`),
      grid(['Line', 'Column', 'Problem'], report.errors.map((e) => h('tr', {}, h('td', {}, e.line), h('td', {}, e.column ?? '—'), h('td', {}, e.message))),
        { caption: 'Line errors', className: 'grid compact line-errors' }));
  } catch (e) {
    cell.replaceChildren(h('p', { class: 'error-text' }, e.message));
  }
}

function editForm(config, etag) {
  const name = h('input', { type: 'text', value: config.name, required: true, maxlength: 128 });
  const description = h('input', { type: 'text', value: config.description ?? '', maxlength: 1024 });
  const poll = h('input', { type: 'number', min: 10, max: 86400, value: config.poll_interval_seconds, inputmode: 'numeric' });
  const isTable = config.config_type.startsWith('table');
  const pk = h('input', { type: 'text', value: config.pk_column ?? '', spellcheck: 'false' });
  const label = h('input', { type: 'text', value: config.label_column ?? '', spellcheck: 'false' });
  // table_reverse: the staging volume, which large labeled files need (above the row cap they wait for one).
  const isReverse = config.config_type === 'table_reverse';
  const staging = h('input', { type: 'checkbox', id: 'edit-use-staging', checked: !!config.use_staging });
  const stagingPath = h('input', { type: 'text', value: config.staging_volume_path ?? '', autocomplete: 'off', spellcheck: 'false', placeholder: '/Volumes/catalog/schema/volume/staging' });
  const stagingField = field('Staging volume folder', stagingPath, { name: 'staging_volume_path', hint: 'The labeled file is copied here and MERGEd with read_files.' });
  stagingField.hidden = !staging.checked;
  staging.addEventListener('change', () => { stagingField.hidden = !staging.checked; });
  const form = h('form', { class: 'card', id: 'edit-form', novalidate: true }, h('h2', {}, 'Edit'), formError(),
    field('Name', name, { name: 'name' }),
    field('Description', description, { name: 'description' }),
    field('Poll interval (seconds)', poll, { name: 'poll_interval_seconds' }),
    isTable ? field('Primary key column', pk, { name: 'pk_column' }) : null,
    isTable ? field('Label column', label, { name: 'label_column' }) : null,
    isReverse ? h('label', { class: 'check' }, staging, ' Stage labeled files in a volume (recommended for large files)') : null,
    isReverse ? stagingField : null,
    h('button', { type: 'submit' }, 'Save'),
    h('button', { type: 'button', class: 'link', onclick: () => form.remove() }, 'Cancel'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    const body = { name: name.value.trim(), description: description.value.trim(), poll_interval_seconds: Number(poll.value) };
    if (isTable) Object.assign(body, { pk_column: pk.value.trim(), label_column: label.value.trim() });
    if (isReverse) Object.assign(body, { use_staging: staging.checked, staging_volume_path: staging.checked ? stagingPath.value.trim() : undefined });
    try {
      await api.patchConfig(config.id, body, etag);
      announce('Saved');
      refresh();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 412) {
        const top = form.querySelector('.form-error');
        top.replaceChildren('This sync was changed elsewhere since you opened it. ',
          h('button', { type: 'button', id: 'reload', onclick: () => refresh() }, 'Reload it'),
          ' (your edits here are discarded).');
        top.hidden = false;
        top.focus();
      } else showProblem(form, e.problem);
    }
  });
  queueMicrotask(() => name.focus());
  return form;
}
