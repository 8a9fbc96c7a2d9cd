// The associate UI: enrolment on a fresh agent, otherwise the task screens under an always-visible status bar.
import { call } from './api.js';
import { closeScreen } from './close-screen.js';
import { countScreen } from './count-screen.js';
import { byId, say } from './dom.js';
import { enrolScreen } from './enrol-screen.js';
import { picksScreen } from './picks-screen.js';
import { returnScreen } from './return-screen.js';
import { saleScreen } from './sale-screen.js';
import { statusBar } from './status-bar.js';

const SCREENS = ['sale', 'return', 'count', 'picks', 'close'];
const bar = statusBar();
/** @type {{ load: (force?: boolean) => Promise<void> } | null} */
let picks = null;
let pendingPicks = -1;
let pollSoon = () => {};

async function pollStatus() {
  const r = await call('GET', '/api/v1/status');
  bar.update(r);
  if (r.ok && picks) {
    const n = r.body.pendingPicks;
    const pill = byId('nav-picks');
    pill.hidden = !n;
    pill.textContent = String(n);
    // New picks arrived (or went): refresh the list; the picks screen keeps what is being typed if nothing changed.
    if (n !== pendingPicks) {
      pendingPicks = n;
      void picks.load();
    }
  }
}

function statusLoop() {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const tick = async () => {
    clearTimeout(timer);
    await pollStatus();
    timer = setTimeout(tick, bar.draining ? 300 : 1000);
  };
  pollSoon = () => void tick();
  void tick();
}

function route() {
  const want = location.hash.slice(1);
  const name = SCREENS.includes(want) ? want : 'sale';
  for (const s of SCREENS) byId(`screen-${s}`).hidden = s !== name;
  for (const a of document.querySelectorAll('nav.tabs a')) {
    if (/** @type {HTMLElement} */ (a).dataset.screen === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (name === 'picks' && picks) void picks.load(true);
  // A scanner types into whatever has focus: put it on the screen's SKU field when there is one.
  const screen = byId(`screen-${name}`);
  const target = screen.querySelector('[data-scan]') ?? screen.querySelector('h1');
  /** @type {HTMLElement | null} */ (target)?.focus();
}

/** @param {{ storeId: string, deviceName: string, currency: string }} device */
function showApp(device) {
  bar.identify(device);
  byId('boot-msg').hidden = true;
  byId('enrol').hidden = true;
  byId('app').hidden = false;
  const onCaptured = () => pollSoon();
  saleScreen({ currency: device.currency, onCaptured });
  returnScreen({ currency: device.currency, onCaptured });
  countScreen({ onCaptured });
  picks = picksScreen({ onCaptured });
  closeScreen({ onCaptured });
  window.addEventListener('hashchange', route);
  route();
  pollSoon();
}

async function boot() {
  const r = await call('GET', '/api/v1/enrolment');
  if (!r.ok) {
    say(byId('boot-msg'), 'err', `${r.error?.message} Retrying…`);
    setTimeout(boot, 1000);
    return;
  }
  statusLoop();
  if (r.body.enrolled) return showApp(r.body);
  byId('boot-msg').hidden = true;
  const enrol = enrolScreen({
    onEnrolled: (device) => {
      enrol.hide();
      showApp(device);
    },
  });
  enrol.show();
}

void boot();
