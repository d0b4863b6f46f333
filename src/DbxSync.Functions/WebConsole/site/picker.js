import { api } from './api.js';
import { h, field, select } from './dom.js';

/**
 * Catalog → schema → table (or volume) from the API's catalog browsing, with a "type the path" escape hatch.
 * onChange({ path, table, catalog, schema }) fires with the full path (catalog.schema.table or /Volumes/c/s/v/...)
 * and, for a table, its columns. With a prefix (a form with several pickers), every label starts with it, so each
 * control keeps a unique accessible name.
 */
export function picker({ kind, principal, onChange, initialPath, prefix }) {
  const named = (text) => (prefix ? `${prefix}: ${text.charAt(0).toLowerCase()}${text.slice(1)}` : text);
  const catalog = select([], { placeholder: 'Choose a catalog' });
  const schema = select([], { placeholder: 'Choose a schema' });
  const leaf = select([], { placeholder: kind === 'table' ? 'Choose a table' : 'Choose a volume' });
  const folder = h('input', { type: 'text', autocomplete: 'off', placeholder: 'optional, e.g. incoming/images', spellcheck: 'false' });
  const manual = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: kind === 'table' ? 'catalog.schema.table' : '/Volumes/catalog/schema/volume/folder' });
  const byHand = h('input', { type: 'checkbox' });
  const lists = h('div', { class: 'picker-lists' },
    field(named('Catalog'), catalog, { name: 'catalog' }),
    field(named('Schema'), schema, { name: 'schema' }),
    field(named(kind === 'table' ? 'Table' : 'Volume'), leaf, { name: kind === 'table' ? 'table' : 'volume' }),
    kind === 'volume' ? field(named('Folder in the volume'), folder, { name: 'folder' }) : null);
  const manualField = field(named(kind === 'table' ? 'Table (catalog.schema.table)' : 'Volume path'), manual, { name: 'databricks_path' });
  manualField.hidden = true;
  // Server errors about the path land beside whatever the user is using.
  lists.querySelector(`[data-field="${kind === 'table' ? 'table' : 'volume'}"]`).dataset.field = 'databricks_path';
  manualField.dataset.field = '';

  const status = h('p', { class: 'hint', role: 'status' });
  let tables = [];
  const state = { path: '', table: null };
  const emit = () => onChange({ ...state });

  async function load(target, loader, map) {
    target.replaceChildren(h('option', { value: '' }, 'Loading…'));
    target.disabled = true;
    try {
      const list = await loader();
      target.replaceChildren(h('option', { value: '' }, target === catalog ? 'Choose a catalog' : target === schema ? 'Choose a schema' : kind === 'table' ? 'Choose a table' : 'Choose a volume'),
        ...list.map((x) => h('option', { value: map(x) }, map(x))));
      status.textContent = list.length ? '' : 'Nothing here the connection can see.';
      return list;
    } catch (e) {
      status.textContent = e.message;
      return [];
    } finally {
      target.disabled = false;
    }
  }

  async function principalChanged(id) {
    state.path = ''; state.table = null; emit();
    schema.replaceChildren(); leaf.replaceChildren();
    if (id) await load(catalog, () => api.catalogs(id), (c) => c.name);
  }
  catalog.addEventListener('change', async () => {
    leaf.replaceChildren(); state.path = ''; state.table = null; emit();
    if (catalog.value) await load(schema, () => api.schemas(principal(), catalog.value), (s) => s.name);
  });
  schema.addEventListener('change', async () => {
    state.path = ''; state.table = null; emit();
    if (!schema.value) return;
    if (kind === 'table') tables = await load(leaf, () => api.tables(principal(), catalog.value, schema.value), (t) => t.name);
    else await load(leaf, () => api.volumes(principal(), catalog.value, schema.value), (v) => v.name);
  });
  const volumePath = () => {
    const sub = folder.value.trim().replace(/^\/+|\/+$/g, '');
    return `/Volumes/${catalog.value}/${schema.value}/${leaf.value}${sub ? '/' + sub : ''}`;
  };
  leaf.addEventListener('change', async () => {
    if (!leaf.value) { state.path = ''; state.table = null; return emit(); }
    if (kind === 'volume') { state.path = volumePath(); return emit(); }
    state.path = `${catalog.value}.${schema.value}.${leaf.value}`;
    // One table's columns from the API, so pk and label are picked from what the table really has.
    state.table = await api.table(principal(), catalog.value, schema.value, leaf.value).catch(() => tables.find((t) => t.name === leaf.value) ?? null);
    emit();
  });
  folder.addEventListener('input', () => { if (leaf.value) { state.path = volumePath(); emit(); } });
  manual.addEventListener('input', () => { state.path = manual.value.trim(); state.table = null; emit(); });
  byHand.addEventListener('change', () => {
    lists.hidden = byHand.checked;
    manualField.hidden = !byHand.checked;
    lists.querySelector('[data-field="databricks_path"]').dataset.field = byHand.checked ? '' : 'databricks_path';
    manualField.dataset.field = byHand.checked ? 'databricks_path' : '';
    state.path = byHand.checked ? manual.value.trim() : (leaf.value ? (kind === 'table' ? `${catalog.value}.${schema.value}.${leaf.value}` : volumePath()) : '');
    state.table = null;
    emit();
  });
  if (initialPath) { byHand.checked = true; manual.value = initialPath; byHand.dispatchEvent(new Event('change')); }

  const element = h('fieldset', { class: 'picker' }, h('legend', {}, prefix ?? (kind === 'table' ? 'Table' : 'Volume')),
    lists, manualField, h('label', { class: 'check' }, byHand, prefix ? ` ${prefix}: type the path by hand` : ' Type the path by hand'), status);
  return { element, principalChanged };
}

/** A column dropdown from a table's columns ("name (type)"), or a text box when the table is typed by hand. */
export function columnChooser(label, name) {
  const wrap = h('div', {});
  let control;
  const set = (table) => {
    const previous = control?.value;
    control = table
      ? select(table.columns.map((c) => [c.name, `${c.name} (${c.type_text})`]), { placeholder: 'Choose a column', value: previous })
      : h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: previous ?? '' });
    wrap.replaceChildren(field(label, control, { name }));
  };
  set(null);
  return { element: wrap, set, get value() { return control.value.trim(); }, set value(v) { control.value = v; } };
}
