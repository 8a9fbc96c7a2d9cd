import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodePosBytes, invalidUtf8Offsets } from './pos-decode.js';

const text = 'Receipt No;Item;Tender\r\nB-1;CAFÉ-01;Espèces 5€\r\n';

describe('decoding till files', () => {
  it('reads Windows-1252, ISO-8859-15 and ISO-8859-1 with their accents (and € where the code page has it)', () => {
    expect(decodePosBytes(iconv.encode(text, 'windows-1252'), 'windows-1252')).toEqual({ ok: true, text, encoding: 'windows-1252' });
    expect(decodePosBytes(iconv.encode(text, 'iso-8859-15'), 'iso-8859-15')).toEqual({ ok: true, text, encoding: 'iso-8859-15' });
    const latin1 = text.replace('€', 'EUR');
    expect(decodePosBytes(iconv.encode(latin1, 'iso-8859-1'), 'iso-8859-1')).toMatchObject({ ok: true, text: latin1 });
    // The same bytes read as UTF-8 are refused, never turned into U+FFFD.
    const r = decodePosBytes(iconv.encode(text, 'windows-1252'), 'utf-8');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ line: 2, byteOffset: 'Receipt No;Item;Tender\r\nB-1;CAF'.length, message: expect.stringMatching(/invalid UTF-8 byte 0xc9 at byte offset 31.*import profile/) });
  });

  it('a BOM decides: UTF-16 LE and BE, UTF-8 with BOM (stripped) whatever the profile says', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]);
    expect(decodePosBytes(le, 'utf-16')).toMatchObject({ ok: true, text, encoding: 'utf-16le' });
    expect(decodePosBytes(be, 'utf-8')).toMatchObject({ ok: true, text, encoding: 'utf-16be' });
    expect(decodePosBytes(Buffer.from(`\uFEFF${text}`, 'utf8'), 'windows-1252')).toMatchObject({ ok: true, text });
    expect(decodePosBytes(Buffer.from(text, 'utf8'), 'utf-16')).toMatchObject({ ok: false, problems: [{ message: expect.stringMatching(/no byte order mark/) }] });
  });

  it('names every invalid UTF-8 byte with its line and offset (truncated, overlong, surrogate, stray continuation)', () => {
    const bytes = Buffer.concat([Buffer.from('ok é\n', 'utf8'), Buffer.from([0x61, 0xc3]), Buffer.from('\n'), Buffer.from([0xc0, 0xaf, 0x0a, 0xed, 0xa0, 0x80, 0x80])]);
    const r = decodePosBytes(bytes, 'utf-8');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => [p.line, p.byteOffset])).toEqual([[2, 7], [3, 9], [3, 10], [4, 12], [4, 13], [4, 14], [4, 15]]);
    expect(invalidUtf8Offsets(Buffer.from('日本 € 😀', 'utf8'), 0, 10)).toEqual([]);
  });

  it('a byte with no character in the code page is refused, not replaced', () => {
    // 0x81 is unassigned in Windows-1252.
    const r = decodePosBytes(Buffer.from([0x41, 0x0a, 0x42, 0x81]), 'windows-1252');
    expect(r).toMatchObject({ ok: false, problems: [{ line: 2, byteOffset: 3, message: expect.stringMatching(/0x81 .* no character in windows-1252/) }] });
  });
});
