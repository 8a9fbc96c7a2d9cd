/**
 * Bytes of a till's export → text, in the encoding its profile names. A byte that does not decode is a rejection
 * naming its line and byte offset: a replacement character (U+FFFD) stored in a sku or a tender would turn into an
 * unknown item at central and a mismatch in reconciliation, far from the file that caused it.
 */
import iconv from 'iconv-lite';
import type { PosEncoding } from './pos-profile.js';

export interface DecodeProblem {
  line: number;
  /** 0-based offset of the bad byte in the file. */
  byteOffset: number;
  message: string;
}

export type DecodeResult = { ok: true; text: string; encoding: string } | { ok: false; problems: DecodeProblem[] };

/** At most this many bad bytes are listed (a file in the wrong encoding has one on every accented letter). */
export const MAX_DECODE_PROBLEMS = 20;

/** A BOM says the encoding whatever the profile says: tills that write one mean it. */
function bomOf(b: Buffer): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | null {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

function lineAt(b: Buffer, offset: number, newline: number[] = [0x0a]): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (b[i] === newline[0] && (newline.length === 1 || b[i + 1] === newline[1])) line++;
  return line;
}

/** Offsets of bytes that are not well-formed UTF-8 (overlongs, surrogates and values past U+10FFFF included). */
export function invalidUtf8Offsets(b: Buffer, start: number, limit: number): number[] {
  const bad: number[] = [];
  let i = start;
  while (i < b.length && bad.length < limit) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else {
      bad.push(i++);
      continue;
    }
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      const [l, h] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (cc === undefined || cc < l || cc > h) {
        ok = false;
        break;
      }
    }
    if (ok) i += need + 1;
    else bad.push(i++);
  }
  return bad;
}

export function decodePosBytes(bytes: Buffer, encoding: PosEncoding): DecodeResult {
  const bom = bomOf(bytes);
  if (bom?.encoding === 'utf-16le' || bom?.encoding === 'utf-16be') {
    if ((bytes.length - bom.length) % 2 !== 0) return { ok: false, problems: [{ line: 1, byteOffset: bytes.length - 1, message: 'a UTF-16 file has an odd number of bytes: it is cut short' }] };
    const text = iconv.decode(bytes.subarray(bom.length), bom.encoding);
    const nl = bom.encoding === 'utf-16le' ? [0x0a, 0x00] : [0x00, 0x0a];
    const bad = replacementOffsets(text, (ci) => bom.length + ci * 2 /* two bytes per UTF-16 code unit */);
    if (bad.length) return { ok: false, problems: bad.map((o) => ({ line: lineAt(bytes, o, nl), byteOffset: o, message: `invalid UTF-16 (an unpaired surrogate) at byte offset ${o}` })) };
    return { ok: true, text, encoding: bom.encoding };
  }
  if (encoding === 'utf-16') return { ok: false, problems: [{ line: 1, byteOffset: 0, message: 'the profile says utf-16 but the file has no byte order mark (FF FE or FE FF); save it as "UTF-16 with BOM"' }] };
  if (bom?.encoding === 'utf-8' || encoding === 'utf-8') {
    const start = bom ? bom.length : 0;
    const bad = invalidUtf8Offsets(bytes, start, MAX_DECODE_PROBLEMS);
    if (bad.length) {
      const hint = encoding === 'utf-8' ? ' (if the till writes Windows-1252 or ISO-8859-x, say so in its import profile)' : '';
      return {
        ok: false,
        problems: bad.map((o) => ({ line: lineAt(bytes, o), byteOffset: o, message: `invalid UTF-8 byte 0x${bytes[o]!.toString(16).padStart(2, '0')} at byte offset ${o}${hint}` })),
      };
    }
    return { ok: true, text: bytes.subarray(start).toString('utf8'), encoding: 'utf-8' };
  }
  // Single-byte encodings: every byte is one character, so a character offset is a byte offset.
  const text = iconv.decode(bytes, encoding);
  const bad = replacementOffsets(text, (ci) => ci);
  if (bad.length) {
    return { ok: false, problems: bad.map((o) => ({ line: lineAt(bytes, o), byteOffset: o, message: `byte 0x${bytes[o]!.toString(16).padStart(2, '0')} at byte offset ${o} has no character in ${encoding}` })) };
  }
  return { ok: true, text, encoding };
}

function replacementOffsets(text: string, toByte: (charIndex: number) => number): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\uFFFD'); i !== -1 && out.length < MAX_DECODE_PROBLEMS; i = text.indexOf('\uFFFD', i + 1)) out.push(toByte(i));
  return out;
}
