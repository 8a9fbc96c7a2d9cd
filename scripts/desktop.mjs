#!/usr/bin/env node
// `npm run desktop`: the store agent as a desktop app, from a checkout, where Electron can be downloaded.
//
// npm install never downloads Electron's binary (its postinstall is not in allowScripts, and CI has no access to
// it), so this script does the two things a plain install leaves out, once, then launches:
//   1. Electron's own install.js when the binary is missing (it downloads from GitHub, or ELECTRON_MIRROR);
//   2. a copy of better-sqlite3 built for Electron's ABI, in node_modules/.cache/outpost-desktop/, because the
//      one npm built serves Node (tests, the headless agent) and must stay as it is. Its path reaches the engine
//      through OUTPOST_SQLITE_BINDING. (A packaged app does not need this: electron-builder rebuilds natively.)
// Then it builds what changed (`npm run build`) and starts Electron on apps/store-agent/dist/electron/main.mjs,
// the compiled app, as the installers ship it. Arguments after `--` go to the app (e.g. `npm run desktop -- --hidden`).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'apps/store-agent/dist/electron/main.mjs');
const require = createRequire(join(ROOT, 'apps/store-agent/package.json'));

function fail(msg) {
  process.stderr.write(`npm run desktop: ${msg}\n`);
  process.exit(1);
}

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

const electronDir = packageDir('electron');
if (!electronDir) fail('the electron package is not installed (it is an optional dependency): run `npm install --include=optional`.');
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

function electronBinary() {
  const pathTxt = join(electronDir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

// 1. The Electron binary.
if (!electronBinary()) {
  process.stdout.write(`Downloading Electron ${electronVersion} (once)...\n`);
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD; // CI sets it; asking for the desktop app means we want the binary
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, env, stdio: 'inherit' });
  if (r.status !== 0 || !electronBinary()) {
    fail('could not download Electron. Where GitHub is not reachable, set ELECTRON_MIRROR to a mirror you can reach; the headless agent (`npx outpost-agent start`) needs no Electron.');
  }
}

// 2. better-sqlite3 for Electron's ABI, beside (not instead of) Node's.
const sqliteDir = packageDir('better-sqlite3');
if (!sqliteDir) fail('better-sqlite3 is not installed: run `npm install` first.');
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const cacheDir = join(ROOT, 'node_modules/.cache/outpost-desktop', `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}`);
const binding = join(cacheDir, 'build/Release/better_sqlite3.node');
if (!existsSync(binding)) {
  process.stdout.write(`Preparing better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)...\n`);
  cpSync(sqliteDir, cacheDir, { recursive: true, filter: (src) => !src.startsWith(join(sqliteDir, 'build')) });
  // The package's own install script: a prebuilt binary for this Electron, else a build from source with
  // Electron's headers. Both read the target runtime from these npm_config_* variables.
  const env = {
    ...process.env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers',
    npm_config_arch: process.arch,
    npm_config_platform: process.platform,
    // A nodedir in the user's npm config would make node-gyp build against Node's headers: the wrong ABI.
    npm_config_nodedir: '',
  };
  const r = spawnSync('npm', ['run', 'install', '--ignore-scripts=false'], { cwd: cacheDir, env, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0 || !existsSync(binding)) {
    fail(`could not get better-sqlite3 for Electron ${electronVersion} (no prebuilt binary could be downloaded, and building it needs Electron's headers and a C++ toolchain). Remove ${cacheDir} to retry.`);
  }
}

// 3. The compiled app, rebuilt when a source changed.
const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) fail('the build failed (see above).');

// 4. Launch.
const args = [MAIN, ...process.argv.slice(2)];
if (process.platform === 'linux' && process.getuid?.() === 0) {
  // Chromium refuses to start as root with its sandbox; a container or a root shell is a development set-up only.
  process.stderr.write('npm run desktop: running as root, so Chromium\'s sandbox is off (--no-sandbox); run as a normal user in a store.\n');
  args.push('--no-sandbox');
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  process.stderr.write('npm run desktop: no DISPLAY: the window needs a desktop session (or xvfb-run). The headless agent is `npx outpost-agent start`.\n');
}
const child = spawn(electronBinary(), args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, OUTPOST_SQLITE_BINDING: binding } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
