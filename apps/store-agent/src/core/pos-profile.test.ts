import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, loadProfiles, parseDate, parseMoney, posProfileSchema, profileFor, type PosProfile } from './pos-profile.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('import profiles', () => {
  it('the defaults read Outpost’s own format: UTF-8, delimiter from the header, minor units, ISO dates', () => {
    expect(DEFAULT_PROFILE).toMatchObject({ encoding: 'utf-8', delimiter: 'auto', decimalSeparator: '.', money: 'minor', dateFormat: 'YYYY-MM-DD', columns: {}, defaults: {} });
  });

  it('money in minor or major units, with a decimal point or comma', () => {
    const minor = { money: 'minor', decimalSeparator: '.', minorDigits: 2 } as const;
    const comma = { money: 'major', decimalSeparator: ',', minorDigits: 2 } as const;
    expect(parseMoney('450', minor)).toEqual({ ok: true, value: 450 });
    expect(parseMoney('4.50', minor)).toMatchObject({ ok: false, message: /whole number of minor units/ });
    expect(parseMoney('4,50', comma)).toEqual({ ok: true, value: 450 });
    expect(parseMoney('12,5', comma)).toEqual({ ok: true, value: 1250 });
    expect(parseMoney('-3', comma)).toEqual({ ok: true, value: -300 });
    expect(parseMoney('4.50', comma)).toMatchObject({ ok: false, message: 'must be an amount like 4,50 (decimal separator ","), got "4.50"' });
    expect(parseMoney('4,505', comma)).toMatchObject({ ok: false, message: /more than 2 decimals/ });
    expect(parseMoney('1200', { money: 'major', decimalSeparator: '.', minorDigits: 0 })).toEqual({ ok: true, value: 1200 });
  });

  it('dates in the till’s format become ISO dates; the time of day is dropped', () => {
    expect(parseDate('29.11.2026', 'DD.MM.YYYY')).toEqual({ ok: true, value: '2026-11-29' });
    expect(parseDate('3/7/26 14:05', 'D/M/YY HH:mm')).toEqual({ ok: true, value: '2026-07-03' });
    expect(parseDate('2026-11-29', 'DD.MM.YYYY')).toMatchObject({ ok: false, message: 'must be a date written DD.MM.YYYY, got "2026-11-29"' });
  });

  it('a file gets the first profile (by file name) whose pattern or folder claims it, else the defaults', () => {
    const p = (name: string, match: object): PosProfile => ({ name, ...posProfileSchema.parse({ match }) });
    const profiles = [p('a.json', { files: ['KASSE-*.csv'] }), p('b.json', { files: ['*.csv'] }), p('c.json', { folder: 'till2' })];
    expect(profileFor(profiles, 'kasse-0800.csv', null).name).toBe('a.json');
    expect(profileFor(profiles, 'export.csv', null).name).toBe('b.json');
    expect(profileFor(profiles, 'export.json', null).name).toBe('default');
    expect(profileFor(profiles, 'kasse-0800.csv', 'till2').name).toBe('c.json');
    expect(profileFor(profiles, 'x.csv', 'other').name).toBe('default');
  });

  it('loads <data-dir>/pos-profiles/*.json and names every problem with its file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-profiles-'));
    dirs.push(dir);
    expect(loadProfiles(dir)).toEqual({ ok: true, profiles: [] });
    mkdirSync(join(dir, 'pos-profiles'));
    writeFileSync(join(dir, 'pos-profiles', 'good.json'), JSON.stringify({ match: { files: ['*.csv'] }, encoding: 'windows-1252', columns: { 'Receipt No': 'transactionId' } }));
    expect(loadProfiles(dir)).toMatchObject({ ok: true, profiles: [{ name: 'good.json', encoding: 'windows-1252', delimiter: 'auto' }] });
    writeFileSync(join(dir, 'pos-profiles', 'bad.json'), JSON.stringify({ match: {}, encoding: 'latin-9', columns: { Bon: 'receipt' }, delimeter: ';' }));
    const r = loadProfiles(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const text = r.problems.join('\n');
      for (const key of ['match', 'encoding', 'columns.Bon', 'delimeter']) expect(text).toContain(key);
      expect(text).toContain(join(dir, 'pos-profiles', 'bad.json'));
    }
  });
});
