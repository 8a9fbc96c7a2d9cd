// The console shell: sign-in, hash routing, and the refresh loop of the current view (live by polling the API).
import { ApiError, api, can, session } from './api.js';
import { clear } from './dom.js';
import { fleetView } from './views/fleet.js';
import { storeView } from './views/store.js';
import { quarantineView } from './views/quarantine.js';
import { conflictsView } from './views/conflicts.js';
import { reservationsView } from './views/reservations.js';
import { reportsView } from './views/reports.js';
import { reconciliationView } from './views/reconciliation.js';
import { auditView } from './views/audit.js';

const VIEWS = {
  fleet: fleetView,
  store: storeView,
  quarantine: quarantineView,
  conflicts: conflictsView,
  reservations: reservationsView,
  reports: reportsView,
  reconciliation: reconciliationView,
  audit: auditView,
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
  document.body.dataset.role = session.role() ?? '';
  $('role').textContent = session.role() ?? '';
  for (const a of document.querySelectorAll('#nav a[data-needs]')) a.hidden = !can(a.dataset.needs);
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('view').hidden = false;
  if (!location.hash) location.hash = '#/fleet';
  else await route();
}

/** Fleet-wide alerts (the ERP down) as a banner above every page; per-store ones show on the fleet table. */
async function refreshBanner() {
  const banner = $('banner');
  const open = await api('/alerts?limit=100');
  const fleetWide = open.items.filter((a) => !a.storeId);
  clear(banner).append(
    ...fleetWide.map((a) => {
      const p = document.createElement('p');
      p.className = `alert ${a.severity}`;
      p.dataset.kind = a.kind;
      p.textContent = `${a.kind.replace(/_/g, ' ')} since ${new Date(a.since).toLocaleString()}: ${a.detail}`;
      return p;
    }),
  );
  banner.hidden = fleetWide.length === 0;
}

/** Mount the view the hash names and refresh it every `every` ms until another view is mounted. */
async function route() {
  if (!session.token()) return;
  const [name = 'fleet', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = (name === 'audit' && !can('admin') ? null : VIEWS[name]) ?? VIEWS.fleet;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === name);
  const gen = ++generation;
  const root = clear($('view'));
  root.dataset.view = name;
  const mounted = view(root, args);
  const loop = async () => {
    if (gen !== generation) return;
    try {
      await Promise.all([mounted.refresh(), refreshBanner()]);
      if (gen === generation) showStatus(`Updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return signedOut('The token was refused; sign in again.');
      if (gen === generation) showStatus(`Could not refresh: ${err.message}`, true);
    }
    if (gen === generation && mounted.every) setTimeout(loop, mounted.every);
  };
  await loop();
}

async function trySignIn(token) {
  session.signIn(token);
  try {
    const me = await api('/whoami');
    // The order system's token reads reservations and stock only: the console has nothing for it.
    if (me.role === 'integration') return signedOut('That token is an integration token (for the order system); the console needs an admin, operator or viewer token.');
    session.setRole(me.role);
    await signedIn();
  } catch (err) {
    signedOut(err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : `Central did not answer: ${err.message}`);
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

