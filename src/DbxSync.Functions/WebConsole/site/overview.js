import { api } from './api.js';
import { h, grid, when, badge } from './dom.js';
import { access } from './app.js';

export const TYPE_NAMES = {
  table: 'Table export', table_reverse: 'Labeled import', volume_forward: 'Volume → blob', volume_reverse: 'Blob → volume',
  annotations_reverse: 'Annotations import',
};

/** Last run and next due of a config, from its newest runs. Event-driven types run when a file lands. */
export async function summarize(config) {
  const page = await api.runs(config.id, 10).catch(() => ({ items: [] }));
  const runs = page.items;
  const last = runs[0] ?? null;
  let next;
  if (config.status === 'paused') next = 'paused';
  else {
    const scheduled = runs.find((r) => r.trigger === 'timer' || r.trigger === 'scan');
    next = scheduled ? new Date(new Date(scheduled.started_at).getTime() + config.poll_interval_seconds * 1000) : 'next tick';
  }
  return { config, last, next, runs };
}

export function nextCell(s) {
  if (s.next === 'paused') return h('span', { class: 'muted' }, 'paused');
  if (typeof s.next === 'string') return s.next;
  const text = s.next.getTime() <= Date.now() ? 'due now' : when(s.next.toISOString());
  const events = s.config.config_type.endsWith('_reverse') ? h('span', { class: 'muted' }, ' · on file drop') : null;
  return h('span', {}, text, events);
}

/** The cells every list of syncs starts with: name, type, path, status, last run, next due. */
export const summaryCells = (s) => [
  h('th', { scope: 'row' }, h('a', { href: `#/syncs/${encodeURIComponent(s.config.id)}` }, s.config.name)),
  h('td', {}, TYPE_NAMES[s.config.config_type]),
  h('td', { class: 'path' }, s.config.databricks_path),
  h('td', {}, badge(s.config.status)),
  h('td', {}, s.last ? [badge(s.last.outcome), ' ', when(s.last.finished_at ?? s.last.started_at)] : h('span', { class: 'muted' }, 'never run')),
  h('td', {}, nextCell(s)),
];

const rank = (s) => (s.last?.outcome === 'failed' ? 0 : s.last?.outcome === 'running' ? 1 : s.config.status === 'paused' ? 3 : 2);

export async function overview() {
  const [configs, principals] = await Promise.all([api.configs(), api.principals()]);
  const summaries = await Promise.all(configs.map(summarize));
  summaries.sort((a, b) => rank(a) - rank(b) || a.config.name.localeCompare(b.config.name));
  const failed = summaries.filter((s) => s.last?.outcome === 'failed').length;
  const paused = summaries.filter((s) => s.config.status === 'paused').length;

  const stats = h('ul', { class: 'stats', 'aria-label': 'Summary' },
    h('li', {}, h('strong', {}, configs.length), ' syncs'),
    h('li', { class: failed ? 'bad' : '' }, h('strong', {}, failed), ' failing'),
    h('li', {}, h('strong', {}, paused), ' paused'),
    h('li', {}, h('strong', {}, principals.length), ' connections'));

  if (configs.length === 0) {
    return h('section', {}, h('h1', {}, 'Overview'), stats,
      h('p', {}, principals.length === 0 ? 'Start by adding a connection to a Databricks workspace.' : 'No syncs yet.'),
      access.canWrite ? h('p', {}, h('a', { class: 'button', href: principals.length ? '#/syncs/new' : '#/connections' }, principals.length ? 'New sync' : 'Add a connection')) : null);
  }

  const rows = summaries.map((s) => h('tr', { class: s.last?.outcome === 'failed' ? 'row-failed' : '' },
    summaryCells(s),
    h('td', { class: 'error-cell' }, s.last?.outcome === 'failed' ? s.last.error ?? s.last.message : '')));

  return h('section', {}, h('h1', {}, 'Overview'), stats,
    h('div', { class: 'table-wrap' }, grid(['Sync', 'Type', 'Databricks', 'Status', 'Last run', 'Next due', 'Problem'], rows, { id: 'overview', caption: 'Every sync, failures first' })));
}
