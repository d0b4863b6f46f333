import { api, session, ApiError } from './api.js';
import { h, field, formError, showProblem, clearProblems, announce } from './dom.js';
import { overview } from './overview.js';
import { connections } from './connections.js';
import { syncList, syncForm } from './syncs.js';
import { configDetail } from './config.js';

/** What the signed-in caller may do; views read it to leave out edit controls for a read-only token. */
export const access = { canWrite: false, mode: 'tokens' };

const main = document.getElementById('main');
const routes = [
  [/^#?\/?$/, () => overview()],
  [/^#\/connections$/, () => connections()],
  [/^#\/syncs$/, () => syncList()],
  [/^#\/syncs\/new$/, () => syncForm()],
  [/^#\/syncs\/([^/]+)$/, (id) => configDetail(decodeURIComponent(id))],
];

let generation = 0;
/** Draws the current route again (after a change). */
export function refresh() { render(); }

async function render() {
  const mine = ++generation;
  const hash = location.hash || '#/';
  const route = routes.find(([re]) => re.test(hash));
  for (const a of document.querySelectorAll('#nav a'))
    a.toggleAttribute('aria-current', a.getAttribute('href') === hash || (hash.startsWith(a.getAttribute('href') + '/') && a.getAttribute('href') !== '#/'));
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const view = route ? await route[1](...hash.match(route[0]).slice(1)) : h('h1', {}, 'Not found');
    if (mine !== generation) return;
    main.replaceChildren(view);
    const heading = main.querySelector('h1');
    document.title = `${heading?.textContent ?? 'DbxSync'} · DbxSync console`;
    if (document.activeElement === document.body || !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  } catch (e) {
    if (mine !== generation) return;
    main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, e instanceof ApiError ? e.message : String(e)));
  }
}

function signInView(me, message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').replaceChildren();
  const mode = me?.auth_mode ?? 'tokens';
  const token = h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Sign in'),
    mode === 'easyauth'
      ? h('p', {}, 'This app signs you in with your organisation account.')
      : h('p', {}, 'Your credentials are kept in this browser tab only and forgotten when the tab closes.'),
    formError(),
    mode === 'tokens' ? field('API token', token, { name: 'token', hint: 'Locally: the value of DBXSYNC_API_TOKEN in .dbxsync/local.env.' }) : null,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    if (mode === 'tokens' && !token.value.trim()) return showProblem(form, { field: 'token', detail: 'Paste a token.' });
    if (mode === 'easyauth') {
      // The platform's sign-in comes back to this page with its session cookie.
      location.assign(`${me.sign_in_url}?post_login_redirect_uri=${encodeURIComponent(location.pathname)}`);
      return;
    }
    session.token = token.value.trim() || null;
    token.value = '';
    const who = await api.me().catch(() => null);
    if (!who || who.access === 'none') {
      session.clear();
      return showProblem(form, { field: 'token', detail: 'The API did not accept this credential.' });
    }
    start(who);
  });
  main.replaceChildren(form);
  if (message) showProblem(form, { detail: message });
  if (mode === 'tokens') token.focus(); else form.querySelector('button').focus();
}

function start(me) {
  access.canWrite = me.can_write;
  access.mode = me.auth_mode;
  document.body.classList.toggle('read-only', !me.can_write);
  document.getElementById('nav').hidden = false;
  const signOut = me.auth_mode === 'tokens'
    ? h('button', { type: 'button', class: 'link', onclick: () => { session.clear(); signInView(me); announce('Signed out'); } }, 'Sign out')
    : me.sign_out_url ? h('a', { href: me.sign_out_url }, 'Sign out') : null;
  document.getElementById('who').replaceChildren(me.can_write ? '' : h('span', { class: 'badge badge-paused' }, 'read-only'), ' ', signOut ?? '');
  announce(me.can_write ? 'Signed in' : 'Signed in, read-only');
  render();
}

async function boot() {
  const me = await api.me().catch(() => null);
  if (!me) return main.replaceChildren(h('h1', {}, 'The API does not answer'), h('p', {}, 'Reload when the app is up.'));
  if (me.access === 'none') return signInView(me);
  start(me);
}

window.addEventListener('hashchange', () => { if (session.token || access.mode !== 'tokens') render(); });
window.addEventListener('dbxsync:signed-out', async () => {
  session.clear();
  signInView(await api.me().catch(() => null), 'Your sign-in is no longer accepted; sign in again.');
});
boot();
