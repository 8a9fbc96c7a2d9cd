/**
 * installers/outpost-central.service and its environment file: no systemd runs in the tests (`systemd-analyze
 * verify` needs the installed program, see installers/CENTRAL.md), so check what each must keep.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUnit } from '../../../test/support/unit-file.js';

const read = (p: string) => readFileSync(new URL(`../../../installers/${p}`, import.meta.url), 'utf8');

describe('central as a systemd service', () => {
  it('runs the installed build as its own user on its own data folder, restarted whatever the exit', () => {
    const unit = parseUnit(read('outpost-central.service'));
    const svc = unit.Service!;
    expect(svc.ExecStart).toEqual(['/usr/local/bin/outpost-central start --host 0.0.0.0 --port 8080 --data-dir /var/lib/outpost-central']);
    expect(svc.User).toEqual(['outpost-central']);
    expect(svc.StateDirectory).toEqual(['outpost-central']); // = /var/lib/outpost-central, owned by User
    expect(svc.StateDirectoryMode).toEqual(['0700']);
    expect(svc.EnvironmentFile).toEqual(['/etc/outpost-central/central.env']);
    expect(svc.Restart).toEqual(['always']);
    // Central stops its embedded PostgreSQL itself, after its sockets: SIGTERM goes to central alone.
    expect(svc.KillMode).toEqual(['mixed']);
    expect(Number(svc.TimeoutStopSec?.[0])).toBeGreaterThan(30); // central's own shutdown limit
    expect(unit.Unit?.After?.[0]).toMatch(/network-online\.target/);
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('the environment file names the database, the admin token, TLS and leaves secrets commented out', () => {
    const env = read('central.env');
    for (const name of ['DATABASE_URL', 'OUTPOST_ADMIN_TOKEN', 'OUTPOST_TLS_CERT', 'OUTPOST_TLS_KEY']) expect(env).toMatch(new RegExp(`^#${name}=`, 'm'));
    const set = env.split('\n').filter((l) => /^[A-Z_]+=/.test(l));
    expect(set).toEqual(['OUTPOST_LOG_LEVEL=info']);
  });

  it('the notes cover install, upgrade, rollback, and backup of both databases', () => {
    const notes = read('CENTRAL.md');
    for (const h of ['## Install', '## Upgrade', '## Rollback', '## Backup and restore']) expect(notes).toContain(h);
    expect(notes).toMatch(/pg_dump/);
    expect(notes).toMatch(/Embedded PostgreSQL/);
    expect(notes).toMatch(/npm ci --omit=dev/);
  });
});
