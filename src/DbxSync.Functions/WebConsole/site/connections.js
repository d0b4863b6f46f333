import { api, ApiError } from './api.js';
import { h, grid, field, formError, showProblem, clearProblems, announce, when } from './dom.js';
import { access, refresh } from './app.js';

export async function connections() {
  const principals = await api.principals();
  const section = h('section', {}, h('h1', {}, 'Connections'),
    h('p', { class: 'muted' }, 'Service principals (or personal access tokens) DbxSync uses to reach a Databricks workspace. Secrets are kept in Key Vault and never shown.'));
  const list = h('div', { class: 'table-wrap' });
  section.append(list);
  renderList(list, principals);
  if (access.canWrite) section.append(registerForm());
  return section;
}

function renderList(list, principals) {
  if (principals.length === 0) return list.replaceChildren(h('p', {}, 'No connections yet.'));
  list.replaceChildren(grid(['Name', 'Workspace', 'Auth', 'Client id', 'Last validated', access.canWrite ? 'Actions' : null].filter(Boolean),
    principals.map((p) => principalRow(p)), { id: 'connections' }));
}

function principalRow(p) {
  const row = h('tr', {},
    h('th', { scope: 'row' }, p.name ?? p.id),
    h('td', { class: 'path' }, p.workspace_url),
    h('td', {}, p.auth_type === 'oauth_m2m' ? 'OAuth M2M' : 'Personal access token'),
    h('td', { class: 'path' }, p.client_id ?? '—'),
    h('td', {}, when(p.validated_at)));
  if (!access.canWrite) return row;
  const out = h('div', { class: 'row-panel' });
  const label = p.name ?? p.id;
  row.append(h('td', { class: 'actions' },
    h('button', { type: 'button', 'aria-label': `Rotate secret of ${label}`, onclick: () => out.replaceChildren(rotateForm(p, out)) }, 'Rotate secret'),
    h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${label}`, onclick: () => remove(p, out) }, 'Delete'),
    out));
  return row;
}

async function remove(p, out) {
  if (!confirm(`Delete the connection ${p.name ?? p.id}?`)) return;
  try {
    await api.deletePrincipal(p.id);
    announce('Connection deleted');
    location.hash = '#/connections';
    refresh();
  } catch (e) {
    out.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, e.message));
  }
}

function rotateForm(p, out) {
  const oauth = p.auth_type === 'oauth_m2m';
  const secret = h('input', { type: 'password', autocomplete: 'off', required: true });
  const name = oauth ? 'client_secret' : 'token';
  const form = h('form', { class: 'inline-form', novalidate: true }, formError(),
    field(oauth ? 'New client secret' : 'New personal access token', secret, { name }),
    h('button', { type: 'submit' }, 'Prove and save'),
    h('button', { type: 'button', class: 'link', onclick: () => out.replaceChildren() }, 'Cancel'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    try {
      await api.rotateSecret(p.id, { [name]: secret.value });
      secret.value = '';
      out.replaceChildren(h('p', { role: 'status' }, 'Secret rotated and proven.'));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showProblem(form, e.problem);
    }
  });
  queueMicrotask(() => secret.focus());
  return form;
}

function registerForm() {
  const name = h('input', { type: 'text', autocomplete: 'off' });
  const url = h('input', { type: 'url', required: true, placeholder: 'https://adb-1234567890123456.7.azuredatabricks.net', autocomplete: 'off' });
  const kind = h('fieldset', { class: 'choice' }, h('legend', {}, 'Authentication'),
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'oauth', checked: true }), ' OAuth M2M (client id and secret)'),
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'pat' }), ' Personal access token'));
  const clientId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const secret = h('input', { type: 'password', autocomplete: 'off' });
  const token = h('input', { type: 'password', autocomplete: 'off' });
  const warehouse = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const oauthFields = h('div', {}, field('Client id', clientId, { name: 'client_id' }), field('Client secret', secret, { name: 'client_secret' }));
  const patFields = h('div', { hidden: true }, field('Personal access token', token, { name: 'token' }));
  kind.addEventListener('change', () => {
    const pat = kind.querySelector('input:checked').value === 'pat';
    oauthFields.hidden = pat;
    patFields.hidden = !pat;
  });
  const form = h('form', { class: 'card', id: 'register', novalidate: true },
    h('h2', {}, 'Add a connection'),
    h('p', { class: 'muted' }, 'The credentials are proven against the workspace before anything is saved.'),
    formError(),
    field('Name', name, { name: 'name', hint: 'Optional, to recognise it in lists.' }),
    field('Workspace URL', url, { name: 'workspace_url' }),
    kind, oauthFields, patFields,
    field('SQL warehouse id', warehouse, { name: 'warehouse_id', hint: 'Optional: otherwise a running warehouse is picked.' }),
    h('button', { type: 'submit' }, 'Prove and save'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    const pat = kind.querySelector('input:checked').value === 'pat';
    const body = { workspace_url: url.value.trim(), name: name.value.trim() || undefined, warehouse_id: warehouse.value.trim() || undefined };
    if (pat) body.token = token.value; else { body.client_id = clientId.value.trim(); body.client_secret = secret.value; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await api.registerPrincipal(body);
      secret.value = ''; token.value = '';
      announce('Connection saved');
      refresh();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showProblem(form, e.problem);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
