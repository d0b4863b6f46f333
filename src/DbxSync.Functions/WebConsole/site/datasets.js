import { h, field } from './dom.js';
import { picker, columnChooser } from './picker.js';

/**
 * The new-sync form's dataset options (README "Datasets"): annotations_reverse's two tables, volume_forward's inputs
 * table and manifest, and a table export's clarifai_inputs column mapping. Tables are picked catalog → schema →
 * table, or typed by hand (a table that does not exist yet is created by the first run).
 */
export function datasetFields(principal) {
  const picks = { inputs: '', annotations: '', forwardInputs: '' };
  const inputsPicker = picker({ kind: 'table', principal, prefix: 'Inputs table', onChange: (p) => { picks.inputs = p.path; } });
  const annotationsPicker = picker({ kind: 'table', principal, prefix: 'Annotations table', onChange: (p) => { picks.annotations = p.path; } });
  const forwardInputsPicker = picker({ kind: 'table', principal, prefix: 'Inputs table', onChange: (p) => { picks.forwardInputs = p.path; } });
  for (const [p, name] of [[inputsPicker, 'inputs_table'], [annotationsPicker, 'annotations_table'], [forwardInputsPicker, 'inputs_table']]) {
    // Server errors about this table land on this picker, not on databricks_path.
    p.element.querySelectorAll('[data-field="databricks_path"]').forEach((el) => { el.dataset.field = name; });
  }

  const annotations = h('div', { id: 'annotations-fields' },
    h('p', { class: 'hint' }, 'Two different tables; each is created with the documented schema if it does not exist (type its name by hand). Files go to annotations/{config id}/ as .jsonl.'),
    inputsPicker.element, annotationsPicker.element);

  const record = h('input', { type: 'checkbox', id: 'record-inputs' });
  const manifest = h('input', { type: 'checkbox', id: 'inputs-manifest' });
  const expiry = h('input', { type: 'number', min: 1, max: 168, value: 24, inputmode: 'numeric' });
  const expiryField = field('Manifest URLs valid for (hours)', expiry, { name: 'inputs_url_expiry_hours', hint: '1 to 168 (7 days, the limit of a user delegation key).' });
  const forward = h('div', { id: 'forward-fields' },
    h('label', { class: 'check' }, record, ' Record every file sent in an inputs Delta table'),
    forwardInputsPicker.element,
    h('label', { class: 'check' }, manifest, ' Write a Clarifai input manifest (CSV with expiring read-only URLs) per run'),
    expiryField);
  const syncForward = () => { forwardInputsPicker.element.hidden = !record.checked; expiryField.hidden = !manifest.checked; };
  record.addEventListener('change', syncForward);
  manifest.addEventListener('change', syncForward);
  syncForward();

  const clarifai = h('input', { type: 'checkbox', id: 'clarifai-format' });
  const input = columnChooser('Input column (URL or /Volumes/… path)', 'input_column');
  const longitude = columnChooser('Longitude column (optional)', 'longitude_column');
  const latitude = columnChooser('Latitude column (optional)', 'latitude_column');
  const metadata = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'split, source' });
  const mapping = h('div', {}, input.element, field('Metadata columns', metadata, { name: 'metadata_columns', hint: 'Comma-separated; written as a JSON object.' }), longitude.element, latitude.element);
  const table = h('div', { id: 'clarifai-fields' },
    h('label', { class: 'check' }, clarifai, ' Write Clarifai\'s input format (inputid, input, concepts, metadata, geopoints) instead of the table\'s columns'),
    mapping);
  clarifai.addEventListener('change', () => { mapping.hidden = !clarifai.checked; });
  mapping.hidden = true;

  const element = h('div', {});
  return {
    element,
    layout(type) {
      // Only the section of the chosen kind is in the form: no hidden control shares a label with a visible one.
      element.replaceChildren(...(type === 'annotations_reverse' ? [annotations] : type === 'volume_forward' ? [forward] : type === 'table' ? [table] : []));
    },
    principalChanged(id) { inputsPicker.principalChanged(id); annotationsPicker.principalChanged(id); forwardInputsPicker.principalChanged(id); },
    tablePicked(t) { input.set(t); longitude.set(t); latitude.set(t); },
    body(type) {
      if (type === 'annotations_reverse') return { inputs_table: picks.inputs || undefined, annotations_table: picks.annotations || undefined };
      if (type === 'volume_forward') return {
        inputs_table: record.checked ? picks.forwardInputs || undefined : undefined,
        inputs_manifest: manifest.checked, inputs_url_expiry_hours: manifest.checked ? Number(expiry.value) : undefined,
      };
      if (type === 'table' && clarifai.checked) {
        const list = metadata.value.split(',').map((x) => x.trim()).filter(Boolean);
        return {
          export_format: 'clarifai_inputs', input_column: input.value || undefined, metadata_columns: list.length ? list : undefined,
          longitude_column: longitude.value || undefined, latitude_column: latitude.value || undefined,
        };
      }
      return {};
    },
  };
}

/** The latest rows of the table a config writes (GET .../preview), as a grid; annotations_reverse can switch tables. */
export function previewPanel(api, config) {
  const writesTable = config.config_type === 'annotations_reverse' || (config.config_type === 'volume_forward' && config.inputs_table)
    || config.config_type === 'table' || config.config_type === 'table_reverse';
  if (!writesTable) return null;
  const body = h('div', { id: 'preview-body' });
  let which = config.config_type === 'annotations_reverse' ? 'annotations' : undefined;
  const load = async () => {
    body.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const p = await api.preview(config.id, which);
      body.replaceChildren(h('p', { class: 'muted' }, `${p.table} · latest ${p.rows.length} rows`),
        h('div', { class: 'table-wrap' }, h('table', { class: 'grid compact', id: 'preview' },
          h('thead', {}, h('tr', {}, p.columns.map((c) => h('th', { scope: 'col', title: c.type_text }, c.name)))),
          h('tbody', {}, p.rows.map((r) => h('tr', {}, r.map((cell) => h('td', {}, cell ?? 'NULL'))))))));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'muted' }, e.message));
    }
  };
  const switcher = config.config_type === 'annotations_reverse'
    ? h('div', { role: 'group', 'aria-label': 'Preview table' },
      h('button', { type: 'button', class: 'link', onclick: () => { which = 'annotations'; load(); } }, 'Annotations'), ' · ',
      h('button', { type: 'button', class: 'link', onclick: () => { which = 'inputs'; load(); } }, 'Inputs'))
    : null;
  const element = h('section', { id: 'table-preview' }, h('h2', {}, 'Latest rows'), switcher,
    h('button', { type: 'button', id: 'load-preview', onclick: load }, 'Show the latest 20 rows'), body);
  return { element, load };
}
