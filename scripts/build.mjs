#!/usr/bin/env node
// `npm run build`: every workspace's src/ to dist/ as JavaScript with source maps, the layout kept file for file.
//
// esbuild transpiles each file on its own (no bundling) rather than `tsc` emitting: `npm run typecheck` already
// checks everything once (sources, tests, scripts), so a second type check here would only double the time, and
// transpiling file for file keeps every `new URL('../…', import.meta.url)` (migrations, the associate UI, the
// console, package.json) pointing where it points from src/. Everything that is not TypeScript (the UI and console
// pages, the Electron entry and preload, JSON) is copied as is. Tests and test helpers stay out of dist/.
//
//   node scripts/build.mjs              clean build of every workspace
//   node scripts/build.mjs --if-stale   build only when a source changed since the last build (npm start, tests)
//
// Plain JavaScript, so it runs from `npm install` (the prepare script) before anything else is built.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKSPACES = ['packages/shared', 'apps/central', 'apps/store-agent'];
const STAMP = '.build-stamp';

/** Not shipped: tests, test helpers, type declarations of the plain-JS pages, notes. */
function shipped(rel) {
  const parts = rel.split(sep);
  if (parts.includes('testing')) return false;
  return !/\.test\.[cm]?[jt]s$/.test(rel) && !rel.endsWith('.d.ts') && !rel.endsWith('.md');
}

function walk(dir, base = dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else out.push(relative(base, p));
  }
  return out;
}

/** A digest of every input (path, size, mtime, and the build script itself): equal digests, nothing to do. */
function digest(ws, files) {
  const h = createHash('sha256');
  for (const f of [fileURLToPath(import.meta.url), join(ROOT, ws, 'package.json'), ...files.map((f) => join(ROOT, ws, 'src', f))]) {
    const s = statSync(f);
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex');
}

async function buildWorkspace(ws, ifStale) {
  const src = join(ROOT, ws, 'src');
  const dist = join(ROOT, ws, 'dist');
  const files = walk(src).filter(shipped).sort();
  const sum = digest(ws, files);
  if (ifStale && existsSync(join(dist, STAMP)) && readFileSync(join(dist, STAMP), 'utf8') === sum) return false;

  // Built aside, then swapped in, so a process starting meanwhile sees the old dist/ or the new one, never half.
  const tmp = `${dist}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const ts = files.filter((f) => f.endsWith('.ts'));
  await build({
    entryPoints: ts.map((f) => join(src, f)),
    outdir: tmp,
    outbase: src,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const f of files.filter((f) => !f.endsWith('.ts'))) {
    mkdirSync(dirname(join(tmp, f)), { recursive: true });
    cpSync(join(src, f), join(tmp, f));
  }
  writeFileSync(join(tmp, STAMP), sum);
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  try {
    renameSync(tmp, dist);
  } catch (err) {
    // Another build (a second test run in this checkout) swapped its dist/ in meanwhile, from the same sources.
    if (err?.code !== 'ENOTEMPTY' && err?.code !== 'EEXIST') throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return true;
}

export async function buildAll({ ifStale = false } = {}) {
  const built = [];
  for (const ws of WORKSPACES) if (await buildWorkspace(ws, ifStale)) built.push(ws);
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const t0 = Date.now();
  const built = await buildAll({ ifStale });
  if (!process.argv.includes('--quiet') || built.length > 0) {
    process.stdout.write(built.length ? `built ${built.join(', ')} into dist/ in ${Date.now() - t0} ms\n` : 'dist/ is up to date\n');
  }
}
