import { api } from './api.js';
import { h, grid } from './dom.js';

/**
 * Rows a list draws at once. A page of 100 renders in a few milliseconds at any number of configs; drawing all of
 * 1,000 or 2,000 rows cost most of a list page's time (bench/results/console.md). The server orders, filters and
 * counts across pages, so a page loses nothing of the order (failures first, natural names).
 */
export const PAGE_SIZE = 100;

/** The first page of a list query: one request, which also brings the counts over every match. */
export const firstPage = (query) => api.configPage({ ...query, page_size: PAGE_SIZE });

/**
 * A list of configs one page at a time. Each page is one request (the server sorts and counts), its table is built
 * detached and put in the document once, and Previous/Next follow the opaque page tokens (those already seen are
 * kept for Previous). `filter(query)` lists again from the first page (a newer request wins over a slower older one).
 */
export function pagedList({ first, query, headers, row, id, caption, empty }) {
  const tokens = [undefined];
  let index = 0;
  let current = { ...query };
  let generation = 0;
  const wrap = h('div', { class: 'table-wrap' });
  const status = h('span', { class: 'muted', role: 'status' });
  const prev = h('button', { type: 'button', class: 'link', onclick: () => go(index - 1) }, 'Previous page');
  const next = h('button', { type: 'button', class: 'link', onclick: () => go(index + 1) }, 'Next page');
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, next, status);

  function draw(page) {
    tokens[index + 1] = page.next_page_token ?? null;
    const from = index * PAGE_SIZE;
    wrap.hidden = page.items.length === 0;
    wrap.replaceChildren(page.items.length ? grid(headers, page.items.map(row), { id, caption }) : '');
    status.textContent = page.total
      ? `${(from + 1).toLocaleString()}–${(from + page.items.length).toLocaleString()} of ${page.total.toLocaleString()}`
      : empty;
    prev.disabled = index === 0;
    next.disabled = !page.next_page_token;
    prev.hidden = next.hidden = page.total <= PAGE_SIZE && index === 0;
  }

  async function go(i) {
    const mine = ++generation;
    const page = await api.configPage({ ...current, page_size: PAGE_SIZE, page_token: tokens[i] });
    if (mine !== generation) return;
    index = i;
    draw(page);
  }

  draw(first);
  return {
    element: h('div', { class: 'paged' }, wrap, nav),
    filter(query) {
      current = { ...query };
      tokens.length = 1;
      return go(0);
    },
  };
}
