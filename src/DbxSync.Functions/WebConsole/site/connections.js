import { api, ApiError } from './api.js';
import { h, grid, field, formError, showProblem, clearProblems, announce, when } from './dom.js';
import { access, refresh } from './app.js';

export async function connections() {
  const principals = await api.principals();
  const section = h('section', {}, h('h1', {}, 'Connections'),
    h('p', { class: 'muted' }, 'Identities DbxSync uses to reach a Databricks workspace: a Databricks OAuth service principal, a Microsoft Entra ID service principal, the app\'s managed identity, or a personal access token. Secrets are kept in Key Vault and never shown; a managed identity has none.'));
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

const AUTH_LABELS = {
  databricks_oauth: 'Databricks OAuth M2M',
  entra_client_secret: 'Entra ID service principal',
  managed_identity: 'Managed identity',
  pat: 'Personal access token',
};

function principalRow(p) {
  const row = h('tr', {},
    h('th', { scope: 'row' }, p.name ?? p.id),
    h('td', { class: 'path' }, p.workspace_url),
    h('td', {}, AUTH_LABELS[p.auth_type] ?? p.auth_type),
    h('td', { class: 'path' }, p.client_id ?? p.managed_identity_client_id ?? (p.auth_type === 'managed_identity' ? 'system-assigned' : '—')),
    h('td', {}, when(p.validated_at)));
  if (!access.canWrite) return row;
  const out = h('div', { class: 'row-panel' });
  const label = p.name ?? p.id;
  row.append(h('td', { class: 'actions' },
    p.auth_type === 'managed_identity' ? null
      : h('button', { type: 'button', 'aria-label': `Rotate secret of ${label}`, onclick: () => out.replaceChildren(rotateForm(p, out)) }, 'Rotate secret'),
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
  const oauth = p.auth_type !== 'pat';
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
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'databricks_oauth', checked: true }), ' Databricks OAuth M2M (client id and secret)'),
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'entra_client_secret' }), ' Microsoft Entra ID service principal (client id and secret)'),
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'managed_identity' }), ' This app\'s managed identity (no secret)'),
    h('label', {}, h('input', { type: 'radio', name: 'auth', value: 'pat' }), ' Personal access token'));
  const clientId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const secret = h('input', { type: 'password', autocomplete: 'off' });
  const token = h('input', { type: 'password', autocomplete: 'off' });
  const tenant = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const identity = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const resourceId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '/subscriptions/…/resourceGroups/…/providers/Microsoft.Databricks/workspaces/…' });
  const warehouse = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const oauthFields = h('div', {}, field('Client id', clientId, { name: 'client_id' }), field('Client secret', secret, { name: 'client_secret' }));
  const tenantFields = h('div', { hidden: true }, field('Tenant id', tenant, { name: 'tenant_id', hint: 'Optional: found from the workspace when left empty.' }));
  const identityFields = h('div', { hidden: true }, field('User-assigned identity client id', identity, { name: 'managed_identity_client_id', hint: 'Optional: empty uses the app\'s system-assigned identity.' }));
  const azureFields = h('div', { hidden: true }, field('Azure workspace resource id', resourceId, { name: 'azure_workspace_resource_id', hint: 'Optional: lets a principal with Contributor on the workspace in before it is added to it.' }));
  const patFields = h('div', { hidden: true }, field('Personal access token', token, { name: 'token' }));
  const chosen = () => kind.querySelector('input:checked').value;
  kind.addEventListener('change', () => {
    const auth = chosen();
    oauthFields.hidden = !(auth === 'databricks_oauth' || auth === 'entra_client_secret');
    tenantFields.hidden = auth !== 'entra_client_secret';
    identityFields.hidden = auth !== 'managed_identity';
    azureFields.hidden = !(auth === 'entra_client_secret' || auth === 'managed_identity');
    patFields.hidden = auth !== 'pat';
  });
  const form = h('form', { class: 'card', id: 'register', novalidate: true },
    h('h2', {}, 'Add a connection'),
    h('p', { class: 'muted' }, 'The credentials are proven against the workspace before anything is saved.'),
    formError(),
    field('Name', name, { name: 'name', hint: 'Optional, to recognise it in lists.' }),
    field('Workspace URL', url, { name: 'workspace_url' }),
    kind, oauthFields, tenantFields, identityFields, patFields, azureFields,
    field('SQL warehouse id', warehouse, { name: 'warehouse_id', hint: 'Optional: otherwise a running warehouse is picked.' }),
    h('button', { type: 'submit' }, 'Prove and save'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearProblems(form);
    const auth = chosen();
    const optional = (input) => input.value.trim() || undefined;
    const body = { auth_type: auth, workspace_url: url.value.trim(), name: optional(name), warehouse_id: optional(warehouse) };
    if (auth === 'pat') body.token = token.value;
    if (auth === 'databricks_oauth' || auth === 'entra_client_secret') { body.client_id = clientId.value.trim(); body.client_secret = secret.value; }
    if (auth === 'entra_client_secret') body.tenant_id = optional(tenant);
    if (auth === 'managed_identity') body.managed_identity_client_id = optional(identity);
    if (auth === 'entra_client_secret' || auth === 'managed_identity') body.azure_workspace_resource_id = optional(resourceId);
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
