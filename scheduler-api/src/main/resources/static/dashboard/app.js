// The dashboard's shell: sign-in, routing between pages (#/cluster, #/jobs, #/jobs/<id>, #/nodes, #/tenants) and
// the refresh loop. A page module exports mount(el, params) returning { refresh(): Promise, unmount() }.
import { api, ApiError, token, setToken, clearToken } from './api.js';
import { $ } from './dom.js';
import * as cluster from './pages/cluster.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as nodes from './pages/nodes.js';
import * as tenants from './pages/tenants.js';

const REFRESH_MS = 3000;

const ROUTES = [
  [/^\/cluster$/, cluster, 'cluster'],
  [/^\/jobs$/, jobs, 'jobs'],
  [/^\/jobs\/([0-9a-fA-F-]{36})$/, job, 'jobs'],
  [/^\/nodes$/, nodes, 'nodes'],
  [/^\/tenants$/, tenants, 'tenants'],
];

let current = null;   // { page, generation }
let generation = 0;
let timer = null;

function parseHash() {
  const hash = location.hash.replace(/^#/, '') || '/cluster';
  const [path, query = ''] = hash.split('?');
  return { path, query: new URLSearchParams(query) };
}

function status(text, error = false) {
  const el = $('#status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

function showSignIn(message) {
  stop();
  $('#page').replaceChildren();
  $('#nav').hidden = true;
  $('#sign-out').hidden = true;
  $('#sign-in-page').hidden = false;
  const err = $('#sign-in-error');
  err.hidden = !message;
  err.textContent = message || '';
  status('');
  $('#token').focus();
}

function stop() {
  clearTimeout(timer);
  timer = null;
  if (current) {
    try { current.page.unmount?.(); } catch (e) { console.error(e); }
    current = null;
  }
}

async function tick(gen) {
  if (!current || current.generation !== gen) return;
  try {
    if (!document.hidden) {
      await current.page.refresh();
      if (current?.generation === gen) status(`updated ${new Date().toLocaleTimeString()}`);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clearToken();
      showSignIn('Your token is no longer accepted (revoked or expired). Sign in again.');
      return;
    }
    console.error(e);
    if (current?.generation === gen) status(`refresh failed: ${e.message}`, true);
  }
  if (current?.generation === gen) timer = setTimeout(() => tick(gen), REFRESH_MS);
}

function route() {
  if (!token()) { showSignIn(); return; }
  stop();
  $('#sign-in-page').hidden = true;
  $('#nav').hidden = false;
  $('#sign-out').hidden = false;
  const { path, query } = parseHash();
  const match = ROUTES.map(([re, module, nav]) => [path.match(re), module, nav]).find(([m]) => m);
  if (!match) { location.hash = '#/cluster'; return; }
  const [m, module, nav] = match;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === nav);
  const el = $('#page');
  el.replaceChildren();
  const gen = ++generation;
  current = { page: module.mount(el, { id: m[1], query }), generation: gen };
  tick(gen);
}

async function signIn(event) {
  event.preventDefault();
  const value = $('#token').value.trim();
  const err = $('#sign-in-error');
  err.hidden = true;
  try {
    await api('/api/v1/cluster/utilization?hours=1', { tokenValue: value });
  } catch (e) {
    err.hidden = false;
    if (e instanceof ApiError && e.status === 401) err.textContent = 'This token is not valid: it is unknown, revoked or mistyped.';
    else if (e instanceof ApiError && e.status === 403) err.textContent = 'This token may not read the cluster (agent tokens cannot sign in).';
    else if (e instanceof ApiError) err.textContent = `The control plane answered ${e.status}: ${e.message}`;
    else err.textContent = `Cannot reach the control plane: ${e.message}`;
    return;
  }
  setToken(value);
  $('#token').value = '';
  route();
}

$('#sign-in-form').addEventListener('submit', signIn);
$('#sign-out').addEventListener('click', () => { clearToken(); showSignIn(); });
window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && current) { clearTimeout(timer); tick(current.generation); }
});
route();
