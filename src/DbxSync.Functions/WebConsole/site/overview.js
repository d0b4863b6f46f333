import { api } from './api.js';
import { h, when, badge, duration } from './dom.js';
import { access } from './app.js';
import { firstPage, pagedList } from './pager.js';

export const TYPE_NAMES = {
  table: 'Table export', table_reverse: 'Labeled import', volume_forward: 'Volume → blob', volume_reverse: 'Blob → volume',
  annotations_reverse: 'Annotations import',
};

/**
 * Last run and next due of a config, as the list endpoint returns it from SyncState (no per-config request): the
 * last run kept in the config's state, the next due time and its reason from its schedule (what the timer follows).
 */
export function summarize(config) {
  const last = config.last_run ?? null;
  let next;
  if (config.status === 'paused') next = 'paused';
  else next = config.next_due_at ? new Date(config.next_due_at) : 'next tick';
  return { config, last, next };
}

export function nextCell(s) {
  if (s.next === 'paused') return h('span', { class: 'muted' }, 'paused');
  if (typeof s.next === 'string') return s.next;
  const text = s.next.getTime() <= Date.now() ? 'due now' : when(s.next.toISOString());
  const reason = s.config.due_reason && s.config.due_reason !== 'due' ? h('span', { class: 'muted' }, ` (${s.config.due_reason})`) : null;
  // Adaptive polling: the interval it is probed at now (it doubles while nothing changes, up to the config's cap).
  const every = s.config.current_poll_interval_seconds ? h('span', { class: 'muted' }, ` · every ${duration(s.config.current_poll_interval_seconds * 1000)}`) : null;
  const events = s.config.config_type.endsWith('_reverse') ? h('span', { class: 'muted' }, ' · on file drop') : null;
  return h('span', {}, text, reason, every, events);
}

/** A config in an error episode: its reason and since when (null when it is healthy). */
export function errorState(config) {
  const e = config.error_state;
  if (!e) return null;
  return h('span', { class: 'error-state' }, badge('error'), ' ', e.reason,
    h('span', { class: 'muted' }, ` · since ${new Date(e.since).toLocaleString()}, ${e.consecutive_failures} failed probe(s)`));
}

/** The cells every list of syncs starts with: name, type, path, status, last run, next due. */
export const summaryCells = (s) => [
  h('th', { scope: 'row' }, h('a', { href: `#/syncs/${encodeURIComponent(s.config.id)}` }, s.config.name)),
  h('td', {}, TYPE_NAMES[s.config.config_type]),
  h('td', { class: 'path' }, s.config.databricks_path),
  h('td', {}, badge(s.config.status), s.config.error_state ? [' ', h('span', { title: s.config.error_state.reason }, badge('error'))] : null),
  h('td', {}, s.last ? [badge(s.last.outcome), ' ', when(s.last.finished_at ?? s.last.started_at)] : h('span', { class: 'muted' }, 'never run')),
  h('td', {}, nextCell(s)),
];

export async function overview() {
  // Failures first, then natural name order, sorted by the server across pages; the tiles count every config.
  const [page, principals] = await Promise.all([firstPage({ order: 'failures_first' }), api.principals()]);
  const { failing, paused } = page.counts;

  const stats = h('ul', { class: 'stats', 'aria-label': 'Summary' },
    h('li', {}, h('strong', {}, page.total.toLocaleString()), ' syncs'),
    h('li', { class: failing ? 'bad' : '' }, h('strong', {}, failing.toLocaleString()), ' failing'),
    h('li', {}, h('strong', {}, paused.toLocaleString()), ' paused'),
    h('li', {}, h('strong', {}, principals.length.toLocaleString()), ' connections'));

  if (page.total === 0) {
    return h('section', {}, h('h1', {}, 'Overview'), stats,
      h('p', {}, principals.length === 0 ? 'Start by adding a connection to a Databricks workspace.' : 'No syncs yet.'),
      access.canWrite ? h('p', {}, h('a', { class: 'button', href: principals.length ? '#/syncs/new' : '#/connections' }, principals.length ? 'New sync' : 'Add a connection')) : null);
  }

  const row = (config) => {
    const s = summarize(config);
    const failed = s.config.error_state || s.last?.outcome === 'failed';
    return h('tr', { class: failed ? 'row-failed' : '' },
      summaryCells(s),
      h('td', { class: 'error-cell' }, errorState(s.config) ?? (s.last?.outcome === 'failed' ? s.last.error ?? s.last.message : '')));
  };
  const list = pagedList({
    first: page, query: { order: 'failures_first' }, row, id: 'overview', caption: 'Every sync, failures first',
    headers: ['Sync', 'Type', 'Databricks', 'Status', 'Last run', 'Next due', 'Problem'],
  });
  return h('section', {}, h('h1', {}, 'Overview'), stats, list.element);
}
