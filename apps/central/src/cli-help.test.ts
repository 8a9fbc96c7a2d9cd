import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/outpost-central.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, OUTPOST_ADMIN_TOKEN: '' }, timeout: 60_000 });

describe('outpost-central --help', () => {
  it('every command and subcommand has --help (exit 0); a wrong command line names the problem and shows that help', () => {
    for (const [args, first] of [
      [['--help'], /^Usage \(each command has --help\):/],
      [['start', '--help'], /^outpost-central start \[--port 8080\]/],
      [['store', '--help'], /^outpost-central store add STORE_ID --name NAME/],
      [['store', 'add', '--help'], /--central http:\/\/127\.0\.0\.1:8080 --data-dir \.data\/central/],
      [['store', 'code', '-h'], /^outpost-central store add/],
    ] as const) {
      const r = run([...args]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(first);
    }
    const noName = run(['store', 'add', 'store-1']);
    expect(noName.status).toBe(2);
    expect(noName.stderr).toMatch(/^outpost-central: store add needs --name NAME/);
    const typo = run(['store', 'add', 'store-1', '--nmae', 'x']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^outpost-central: Unknown option '--nmae'[\s\S]*outpost-central store add STORE_ID/);
    expect(run(['stor']).stderr).toMatch(/unknown command "stor": the commands are start and store/);
  }, 120_000);
});
