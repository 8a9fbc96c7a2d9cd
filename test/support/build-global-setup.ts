/**
 * The tests start the bins as a user would, and the bins run the built dist/: bring it up to date with the
 * sources first (a no-op when nothing changed), so a test never exercises a stale build.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale', '--quiet'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}
