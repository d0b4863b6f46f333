// The public management API, as any client calls it. Credentials live in sessionStorage only (this tab's session).
// The app's own auth is the one gate (the functions are anonymous to the Functions host): a token, or in easyauth
// mode the platform's session cookie, which the browser sends by itself.
const stored = (key) => ({
  get: () => sessionStorage.getItem(key),
  set: (v) => (v ? sessionStorage.setItem(key, v) : sessionStorage.removeItem(key)),
});
const TOKEN = stored('dbxsync.token');
export const session = {
  get token() { return TOKEN.get(); },
  set token(v) { TOKEN.set(v); },
  clear() { TOKEN.set(null); },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function request(method, path, { body, etag, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (session.token) h.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (etag) h['If-Match'] = etag;
  const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401 && path !== '/api/me') window.dispatchEvent(new Event('dbxsync:signed-out'));
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  return res;
}

async function problemOf(res) {
  try {
    const p = await res.json();
    return typeof p === 'object' && p ? p : { title: `HTTP ${res.status}` };
  } catch {
    return { title: `HTTP ${res.status}`, detail: res.statusText };
  }
}

export async function json(method, path, options) {
  const res = await request(method, path, options);
  if (res.status === 204) return { data: null, etag: null, res };
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null;
  return { data, etag: res.headers.get('ETag'), res };
}

export const get = async (path) => (await json('GET', path)).data;
export const items = async (path) => (await get(path)).items;

const SP = '/api/databricks/service-principals';
const SC = '/api/databricks/sync-configs';
const enc = encodeURIComponent;

export const api = {
  me: () => get('/api/me'),
  principals: () => items(SP),
  registerPrincipal: (body) => json('POST', SP, { body }),
  rotateSecret: (id, body) => json('PUT', `${SP}/${enc(id)}/secret`, { body }),
  deletePrincipal: (id) => json('DELETE', `${SP}/${enc(id)}`),
  catalogs: (id) => items(`${SP}/${enc(id)}/catalogs`),
  schemas: (id, c) => items(`${SP}/${enc(id)}/catalogs/${enc(c)}/schemas`),
  tables: (id, c, s) => items(`${SP}/${enc(id)}/catalogs/${enc(c)}/schemas/${enc(s)}/tables`),
  table: (id, c, s, t) => get(`${SP}/${enc(id)}/catalogs/${enc(c)}/schemas/${enc(s)}/tables/${enc(t)}`),
  volumes: (id, c, s) => items(`${SP}/${enc(id)}/catalogs/${enc(c)}/schemas/${enc(s)}/volumes`),
  configs: () => items(SC),
  /** One list page: configs with status, error state, next due, last run and stored export lag, ordered by the server. */
  configPage: (query = {}) => get(`${SC}?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''))}`),
  config: (id) => json('GET', `${SC}/${enc(id)}`),
  createConfig: (body) => json('POST', SC, { body }),
  patchConfig: (id, body, etag) => json('PATCH', `${SC}/${enc(id)}`, { body, etag }),
  deleteConfig: (id) => json('DELETE', `${SC}/${enc(id)}`),
  pause: (id) => json('POST', `${SC}/${enc(id)}/pause`),
  resume: (id) => json('POST', `${SC}/${enc(id)}/resume`),
  exportLag: (id) => get(`${SC}/${enc(id)}/export-lag`),
  preview: (id, table) => get(`${SC}/${enc(id)}/preview${table ? `?table=${enc(table)}` : ''}`),
  grants: (id) => get(`${SC}/${enc(id)}/grants`),
  runs: (id, pageSize = 20) => get(`${SC}/${enc(id)}/runs?page_size=${pageSize}`),
  run: (id, runId) => get(`${SC}/${enc(id)}/runs/${enc(runId)}`),
  runErrors: (id, runId) => get(`${SC}/${enc(id)}/runs/${enc(runId)}/errors`),
};

/**
 * Runs a config now and reports progress: POST .../run answers 202 with the run's Location, whose record is
 * polled (queued, running with its progress, then the outcome). A 200 with NDJSON is the earlier streamed form.
 */
export async function runNow(id, onProgress) {
  const res = await request('POST', `${SC}/${enc(id)}/run?progress=true`, { headers: { Accept: 'application/x-ndjson, application/json' } });
  if (res.status === 202) {
    const location = new URL(res.headers.get('Location'), window.location.href);
    // The bearer token only ever goes back to this origin.
    if (location.origin !== window.location.origin) throw new ApiError(502, { title: 'The run is at another origin; not following it.' });
    for (;;) {
      const run = await get(location.pathname + location.search);
      onProgress({ stage: run.progress?.stage ?? run.outcome, done: run.progress?.done ?? run.rows ?? 0, total: run.progress?.total ?? null, unit: run.progress?.unit ?? 'rows', run });
      if (run.outcome !== 'running' && run.outcome !== 'queued') return run;
      // The run record's progress is written about once a second.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  if (!(res.headers.get('content-type') ?? '').includes('ndjson')) return res.json();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line);
      if (msg.type === 'progress') onProgress(msg);
      else if (msg.type === 'run') return msg.run;
      else if (msg.type === 'error') throw new ApiError(msg.problem.status ?? 500, msg.problem);
    }
    if (done) throw new ApiError(502, { title: 'The run stream ended without a result.' });
  }
}
