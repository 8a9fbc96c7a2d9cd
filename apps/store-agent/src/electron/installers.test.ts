/**
 * installers/ holds configuration no test can run here (no Electron, no systemd, no Windows): check the
 * essentials each file must keep, so an edit that drops one fails here rather than on a store PC.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseUnit } from '../../../../test/support/unit-file.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const INSTALLERS = join(ROOT, 'installers');
const APP = join(ROOT, 'apps/store-agent');
const read = (p: string) => readFileSync(join(INSTALLERS, p), 'utf8');

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * The YAML subset the builder config uses: nested maps by indentation, `- item` lists of scalars, quoted or
 * plain scalars, comments. Enough to read our own file; anything else throws.
 */
function parseYamlSubset(text: string): Yaml {
  const lines = text
    .split('\n')
    .map((raw, i) => ({ n: i + 1, indent: raw.length - raw.trimStart().length, text: raw.trim() }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
  let i = 0;
  const scalar = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  function block(indent: number): Yaml {
    if (lines[i]?.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) list.push(scalar(lines[i++]!.text.slice(2).trim()));
      return list;
    }
    const map: Record<string, Yaml> = {};
    while (i < lines.length && lines[i]!.indent === indent) {
      const l = lines[i++]!;
      const m = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(l.text);
      if (!m) throw new Error(`line ${l.n}: not a key: ${l.text}`);
      if (m[2] !== undefined && m[2] !== '') map[m[1]!] = scalar(m[2]);
      else if (i < lines.length && lines[i]!.indent > indent) map[m[1]!] = block(lines[i]!.indent);
      else if (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) map[m[1]!] = block(indent);
      else map[m[1]!] = '';
    }
    return map;
  }
  const out = block(0);
  if (i < lines.length) throw new Error(`line ${lines[i]!.n}: unexpected indentation`);
  return out;
}

describe('installers', () => {
  it('electron-builder config: the three platforms, the entry point, the migrations and native modules', () => {
    const cfg = parseYamlSubset(read('electron-builder.yml')) as Record<string, Record<string, Yaml> & Yaml>;
    expect(cfg.appId).toMatch(/^[a-z0-9.]+$/);
    expect(cfg.productName).toBe('Outpost Store Agent');
    expect((cfg.win as { target: string[] }).target).toContain('nsis');
    expect((cfg.mac as { target: string[] }).target).toEqual(expect.arrayContaining(['dmg']));
    expect((cfg.linux as { target: string[] }).target).toEqual(expect.arrayContaining(['deb', 'AppImage']));
    // The entry point exists where the config says, relative to the project dir (apps/store-agent).
    const main = (cfg.extraMetadata as { main: string }).main;
    expect(existsSync(join(APP, main))).toBe(true);
    const files = cfg.files as unknown as string[];
    // The build (dist/: no sources, tests or test helpers in it), not the TypeScript sources.
    expect(main).toMatch(/^dist\//);
    expect(files).toEqual(expect.arrayContaining(['dist/**/*', 'drizzle/**/*']));
    expect(files.filter((f) => f.startsWith('src'))).toEqual([]);
    expect(existsSync(join(APP, 'drizzle/meta/_journal.json'))).toBe(true);
    expect(cfg.asarUnpack).toContain('**/*.node');
    expect(cfg.npmRebuild).toBe('true');
    // An uninstall or upgrade must not take the store's captured data with it.
    expect((cfg.nsis as Record<string, string>).deleteAppDataOnUninstall).toBe('false');
  });

  it('reads the YAML subset strictly', () => {
    expect(parseYamlSubset('a: 1\nb:\n  c: "x"\n  d:\n    - p\n    - "q"\ne:\n- r\n')).toEqual({ a: '1', b: { c: 'x', d: ['p', 'q'] }, e: ['r'] });
    expect(() => parseYamlSubset('a: 1\n  b: 2\n')).toThrow(/unexpected indentation/);
  });

  it('systemd unit: outpost-agent start on /var/lib/outpost-agent, always restarted, as a dedicated user', () => {
    const unit = parseUnit(read('outpost-agent.service'));
    const svc = unit.Service!;
    expect(svc.ExecStart).toEqual(['/usr/local/bin/outpost-agent start --data-dir /var/lib/outpost-agent']);
    expect(svc.Restart).toEqual(['always']);
    expect(svc.User).toEqual(['outpost-agent']);
    expect(svc.User).not.toContain('root');
    expect(svc.StateDirectory).toEqual(['outpost-agent']); // = /var/lib/outpost-agent, owned by User
    expect(svc.KillSignal).toEqual(['SIGTERM']);
    expect(unit.Unit?.After).toEqual(['network-online.target']);
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('Windows service (WinSW): the agent start command, restart on failure, automatic start', () => {
    const xml = read('windows/outpost-agent.xml');
    const tag = (name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);
    expect(tag('id')).toEqual(['outpost-agent']);
    expect(tag('executable')).toEqual(['node']);
    expect(tag('arguments')[0]).toMatch(/outpost-agent\.js" start --data-dir "%ProgramData%\\Outpost\\agent"$/);
    expect(tag('startmode')).toEqual(['Automatic']);
    expect(xml).toMatch(/<onfailure action="restart"/);
    expect(tag('username')[0]).not.toMatch(/LocalSystem/i);
  });

  it('the install notes cover upgrades keeping the data folder', () => {
    const notes = read('README.md');
    expect(notes).toMatch(/## Upgrades/);
    expect(notes).toMatch(/keeps the data folder/);
    expect(notes).toMatch(/migrat/);
  });
});
