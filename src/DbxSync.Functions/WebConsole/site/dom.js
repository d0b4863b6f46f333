// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), so API strings cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
export const nextId = (p = 'f') => `${p}${++uid}`;

/** A labelled control with a slot for the server's error about it (aria-describedby). */
export function field(label, control, { hint, name } = {}) {
  const id = control.id || (control.id = nextId());
  if (name) control.name = name;
  const err = h('p', { class: 'field-error', id: id + '-err', hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl && hintEl.id, err.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name ?? '' } }, h('label', { for: id }, label), control, hintEl, err);
}

export function select(options, { value, placeholder, required } = {}) {
  const s = h('select', { required });
  if (placeholder !== undefined) s.append(h('option', { value: '' }, placeholder));
  for (const o of options) {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    s.append(h('option', { value: v, selected: v === value }, text));
  }
  return s;
}

/** Shows a problem+json beside the offending field of a form, or at the form's top. Returns true if a field took it. */
export function showProblem(form, problem) {
  clearProblems(form);
  const message = problem.detail || problem.title || 'The request failed.';
  const slot = problem.field && form.querySelector(`[data-field="${CSS.escape(problem.field)}"] .field-error`);
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
    const control = slot.parentElement.querySelector('input, select, textarea');
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
    return true;
  }
  const top = form.querySelector('.form-error');
  if (top) { top.textContent = message; top.hidden = false; top.focus(); }
  return false;
}

export function clearProblems(form) {
  for (const e of form.querySelectorAll('.field-error, .form-error')) { e.textContent = ''; e.hidden = true; }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

export const formError = () => h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });

export function announce(text) {
  const s = document.getElementById('status');
  s.textContent = '';
  setTimeout(() => { s.textContent = text; }, 30);
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, relative(d));
}

export function relative(d) {
  const s = Math.round((d.getTime() - Date.now()) / 1000);
  const a = Math.abs(s);
  const text = a < 5 ? 'now' : a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 129600 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return text === 'now' ? text : s < 0 ? `${text} ago` : `in ${text}`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60000)} min`;
}

export const badge = (text, kind = text) => h('span', { class: `badge badge-${kind}` }, text.replace('_', ' '));

/**
 * A data table. At phone widths rows stack as cards and the header row is hidden, so each cell carries its
 * column's name (data-label, shown by CSS).
 */
export function grid(headers, rows, { id, caption, className = 'grid' } = {}) {
  const table = h('table', { class: className, id },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows));
  for (const tr of table.tBodies[0].rows)
    [...tr.cells].forEach((cell, i) => { if (tr.cells.length === headers.length && !cell.dataset.label) cell.dataset.label = headers[i]; });
  return table;
}
