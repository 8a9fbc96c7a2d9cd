#!/usr/bin/env node
// Runs the built JavaScript in ../dist (`npm run build`; `npm install` builds it). Stack traces point into the
// TypeScript sources through the source maps beside each file.
process.setSourceMapsEnabled(true);
const entry = new URL('../dist/cli.js', import.meta.url);
try {
  await import(entry.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(entry.pathname)) {
    process.stderr.write(`${entry.pathname} is missing: run \`npm run build\` (or \`npm install\`) first.\n`);
    process.exit(1);
  }
  throw err;
}
