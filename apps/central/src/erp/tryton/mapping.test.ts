import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MappingError, MappingFile, missingMappings, parseMapping } from './mapping.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Tryton mapping', () => {
  const mapping = parseMapping(
    JSON.stringify({ stores: { 's-1': { warehouse: 'ST001', location: 'ST001-FLOOR' } }, products: { A: 'P-A' } }),
  );

  it('names exactly what is missing', () => {
    expect(missingMappings(mapping, 's-1', ['A'])).toEqual([]);
    expect(missingMappings(mapping, 's-2', ['A', 'B', 'B'])).toEqual([
      'store s-2 has no warehouse mapping',
      'sku B has no Tryton product',
    ]);
  });

  it('refuses malformed files with the entry at fault', () => {
    expect(() => parseMapping('{')).toThrow(MappingError);
    expect(() => parseMapping('{"stores":{"x":{"warehouse":"W"}}}')).toThrow(/store "x" needs/);
    expect(() => parseMapping('{"products":{"A":""}}')).toThrow(/sku "A"/);
    expect(parseMapping('{"customer":"POS"}')).toEqual({ stores: {}, products: {}, customer: 'POS' });
  });

  it('re-reads the file when it changes, so a mapping added later is seen without a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-map-'));
    dirs.push(dir);
    const path = join(dir, 'mapping.json');
    writeFileSync(path, JSON.stringify({ stores: {}, products: { A: 'P-A' } }));
    const file = new MappingFile(path);
    expect(file.current().products.B).toBeUndefined();
    writeFileSync(path, JSON.stringify({ stores: {}, products: { A: 'P-A', B: 'P-B' } }));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000)); // a later mtime even on coarse file systems
    expect(file.current().products.B).toBe('P-B');
    expect(() => new MappingFile(join(dir, 'none.json')).current()).toThrow(/cannot be read/);
  });
});
