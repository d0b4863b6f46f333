import { api, ApiError } from './api.js';
import { h, field, select, formError, showProblem, clearProblems, announce, when } from './dom.js';
import { access } from './app.js';
import { TYPE_NAMES, summarize, summaryCells } from './overview.js';
import { firstPage, pagedList } from './pager.js';
import { picker, columnChooser } from './picker.js';
import { datasetFields } from './datasets.js';

export async function syncList() {
  // One request: natural name order from the server, export lag from the last stored probe (no warehouse statement).
  const page = await firstPage({});
  const section = h('section', {}, h('h1', {}, 'Syncs'));
  if (access.canWrite) section.append(h('p', {}, h('a', { class: 'button', href: '#/syncs/new' }, 'New sync')));
  if (page.total === 0) return append(section, h('p', {}, 'No syncs yet.'));
  const list = pagedList({
    first: page, query: {}, id: 'syncs', empty: 'No sync matches.',
    headers: ['Sync', 'Type', 'Databricks', 'Status', 'Last run', 'Next due', 'Export'],
    row: (c) => h('tr', {}, summaryCells(summarize(c)), h('td', { class: 'lag' }, exportPosition(c.export_lag))),
  });
  // Filters go to the server (one request each), so they search every config, not only the page shown.
  const name = h('input', { type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const type = select([['', 'Any type'], ...Object.entries(TYPE_NAMES)], { value: '' });
  const status = select([['', 'Any status'], ['active', 'Active'], ['paused', 'Paused'], ['failing', 'Failing']], { value: '' });
  let typing;
  const apply = () => list.filter({ name: name.value.trim(), config_type: type.value, status: status.value });
  name.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(apply, 250); });
  type.addEventListener('change', apply);
  status.addEventListener('change', apply);
  section.append(h('div', { class: 'filters', role: 'search' },
    field('Name contains', name, { name: 'name' }), field('Type', type, { name: 'config_type' }), field('Status', status, { name: 'status' })), list.element);
  return section;
}

const append = (el, ...c) => { el.append(...c); return el; };

/**
 * For a table export: the version last exported and how many table versions it trails, with the age of the probe
 * it comes from (stored: probed_at; live check: table_version read just now).
 */
export function exportPosition(lag) {
  if (!lag) return '';
  if (lag.exported_version === null || lag.exported_version === undefined) return h('span', { class: 'muted' }, 'not yet exported');
  const age = lag.probed_at ? h('span', { class: 'muted' }, ' (probed ', when(lag.probed_at), ')') : null;
  return [`v${lag.exported_version} · `, lag.versions_behind ? h('strong', {}, `${lag.versions_behind} behind`) : 'up to date', age];
}

const FORM_TYPES = [
  ['pair', 'Labeling pair: export a table and import its labels'],
  ['table', TYPE_NAMES.table + ' (table)'],
  ['table_reverse', TYPE_NAMES.table_reverse + ' (table_reverse)'],
  ['volume_forward', TYPE_NAMES.volume_forward + ' (volume_forward)'],
  ['volume_reverse', TYPE_NAMES.volume_reverse + ' (volume_reverse)'],
  ['annotations_reverse', TYPE_NAMES.annotations_reverse + ' (annotations_reverse: JSON Lines into an inputs and an annotations table)'],
];

export async function syncForm() {
  if (!access.canWrite) return h('section', {}, h('h1', {}, 'New sync'), h('p', {}, 'This token may only read.'));
  const principals = await api.principals();
  if (principals.length === 0) return h('section', {}, h('h1', {}, 'New sync'), h('p', {}, 'Add a connection first: ', h('a', { href: '#/connections' }, 'Connections')));

  const type = select(FORM_TYPES, { value: 'pair' });
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', maxlength: 128 });
  const description = h('input', { type: 'text', autocomplete: 'off', maxlength: 1024 });
  const principal = select(principals.map((p) => [p.id, `${p.name ?? p.id} · ${p.workspace_url}`]), { value: principals[0].id });
  const poll = h('input', { type: 'number', min: 10, max: 86400, value: 60, required: true, inputmode: 'numeric' });
  const paused = h('input', { type: 'checkbox' });
  const pk = columnChooser('Primary key column', 'pk_column');
  const label = columnChooser('Label column', 'label_column');
  const staging = h('input', { type: 'checkbox' });
  const stagingPath = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '/Volumes/catalog/schema/volume/staging' });
  const stagingField = field('Staging volume folder', stagingPath, { name: 'staging_volume_path', hint: 'The labeled file is copied here and MERGEd with read_files.' });
  stagingField.hidden = true;
  staging.addEventListener('change', () => { stagingField.hidden = !staging.checked; });
  let path = '';
  const onPick = (pick) => {
    path = pick.path;
    pk.set(pick.table); label.set(pick.table); datasets.tablePicked(pick.table);
    if (pick.table) {
      // Good guesses, which the user can change: a key-like column and a label-like one.
      const cols = pick.table.columns.map((c) => c.name);
      pk.value = cols.find((c) => /^(id|.*_id|pk|key)$/i.test(c)) ?? '';
      label.value = cols.find((c) => /label/i.test(c)) ?? '';
      if (!name.value) name.value = pick.table.name;
    }
  };
  const tablePicker = picker({ kind: 'table', principal: () => principal.value, onChange: onPick });
  const volumePicker = picker({ kind: 'volume', principal: () => principal.value, onChange: onPick });
  const tableOnly = h('div', {}, pk.element, label.element);
  const reverseOnly = h('div', {}, h('label', { class: 'check' }, staging, ' Stage labeled files in a volume (recommended for large files)'), stagingField);
  const placeholder = h('div', {});
  const datasets = datasetFields(() => principal.value);

  const form = h('form', { class: 'card', id: 'sync-form', novalidate: true },
    h('h1', {}, 'New sync'), formError(),
    field('Kind of sync', type, { name: 'config_type' }),
    field('Connection', principal, { name: 'service_principal_id' }),
    placeholder, tableOnly, reverseOnly, datasets.element,
    field('Name', name, { name: 'name' }),
    field('Description', description, { name: 'description' }),
    field('Poll interval (seconds)', poll, { name: 'poll_interval_seconds', hint: 'How often the timer checks for changes (10 to 86400).' }),
    h('label', { class: 'check' }, paused, ' Start paused (nothing runs until you resume it or press Run now)'),
    h('button', { type: 'submit' }, 'Create'));

  const layout = () => {
    const t = type.value;
    const tableKind = t === 'pair' || t === 'table' || t === 'table_reverse';
    placeholder.replaceChildren(t === 'annotations_reverse' ? '' : tableKind ? tablePicker.element : volumePicker.element);
    datasets.layout(t);
    tableOnly.hidden = !tableKind;
    reverseOnly.hidden = !(t === 'pair' || t === 'table_reverse');
    path = '';
  };
  type.addEventListener('change', () => { layout(); tablePicker.principalChanged(principal.value); volumePicker.principalChanged(principal.value); });
  principal.addEventListener('change', () => { tablePicker.principalChanged(principal.value); volumePicker.principalChanged(principal.value); datasets.principalChanged(principal.value); });
  layout();
  tablePicker.principalChanged(principal.value);
  volumePicker.principalChanged(principal.value);
  datasets.principalChanged(principal.value);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    const t = type.value;
    const base = {
      name: name.value.trim(), description: description.value.trim() || undefined, service_principal_id: principal.value,
      databricks_path: t === 'annotations_reverse' ? undefined : path, poll_interval_seconds: Number(poll.value), enabled: !paused.checked,
    };
    const tableFields = { pk_column: pk.value || undefined, label_column: label.value || undefined };
    const reverseFields = { use_staging: staging.checked, staging_volume_path: staging.checked ? stagingPath.value.trim() : undefined };
    const bodies = t === 'pair'
      ? [{ ...base, ...tableFields, config_type: 'table', name: `${base.name} export` },
         { ...base, ...tableFields, ...reverseFields, config_type: 'table_reverse', name: `${base.name} import` }]
      : [{ ...base, config_type: t, ...(t.startsWith('table') ? tableFields : {}), ...(t === 'table_reverse' ? reverseFields : {}), ...datasets.body(t) }];
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const created = [];
    try {
      for (const body of bodies) created.push((await api.createConfig(body)).data);
      announce(t === 'pair' ? 'Labeling pair created' : 'Sync created');
      location.hash = `#/syncs/${encodeURIComponent(created[0].id)}`;
    } catch (e) {
      // A pair is one step: when its second half is refused, the first is removed again.
      for (const c of created) await api.deleteConfig(c.id).catch(() => {});
      if (!(e instanceof ApiError)) throw e;
      const problem = { ...e.problem };
      if (problem.field === 'name' && t === 'pair') problem.detail = `${problem.detail} (the pair adds " export" and " import")`;
      showProblem(form, problem);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
