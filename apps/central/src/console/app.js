// The console shell: sign-in, hash routing, and the refresh loop of the current view (live by polling the API).
import { ApiError, api, session } from './api.js';
import { clear } from './dom.js';
import { fleetView } from './views/fleet.js';
import { storeView } from './views/store.js';
import { quarantineView } from './views/quarantine.js';
import { conflictsView } from './views/conflicts.js';
import { reservationsView } from './views/reservations.js';
import { reportsView } from './views/reports.js';
import { reconciliationView } from './views/reconciliation.js';

const VIEWS = {
  fleet: fleetView,
  store: storeView,
  quarantine: quarantineView,
  conflicts: conflictsView,
  reservations: reservationsView,
  reports: reportsView,
  reconciliation: reconciliationView,
};

const $ = (id) => document.getElementById(id);
let generation = 0;

function showStatus(text, bad = false) {
  const el = $('status');
  el.textContent = text;
  el.className = bad ? 'status error' : 'status';
}

function signedOut(message = '') {
  generation++;
  session.signOut();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('view').hidden = true;
  clear($('view'));
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  $('token').focus();
}

async function signedIn() {
  $('signin').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('view').hidden = false;
  if (!location.hash) location.hash = '#/fleet';
  else await route();
}

/** Mount the view the hash names and refresh it every `every` ms until another view is mounted. */
async function route() {
  if (!session.token()) return;
  const [name = 'fleet', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = VIEWS[name] ?? VIEWS.fleet;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === name);
  const gen = ++generation;
  const root = clear($('view'));
  root.dataset.view = name;
  const mounted = view(root, args);
  const loop = async () => {
    if (gen !== generation) return;
    try {
      await mounted.refresh();
      if (gen === generation) showStatus(`Updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return signedOut('The admin token was refused; sign in again.');
      if (gen === generation) showStatus(`Could not refresh: ${err.message}`, true);
    }
    if (gen === generation && mounted.every) setTimeout(loop, mounted.every);
  };
  await loop();
}

async function trySignIn(token) {
  session.signIn(token);
  try {
    await api('/stores?limit=1');
    await signedIn();
  } catch (err) {
    signedOut(err instanceof ApiError && err.status === 401 ? 'That admin token is not valid.' : `Central did not answer: ${err.message}`);
  }
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  $('token').value = '';
  void trySignIn(t);
});
$('sign-out').addEventListener('click', () => signedOut());
window.addEventListener('hashchange', () => void route());

// The release this central runs, in the footer (/healthz needs no token, so it shows before sign-in too).
fetch('/healthz')
  .then((r) => (r.ok ? r.json() : null))
  .then((h) => {
    if (h?.version) $('version').textContent = `Outpost central ${h.version}`;
  })
  .catch(() => {});

const saved = session.token();
if (saved) void trySignIn(saved);
else signedOut();

