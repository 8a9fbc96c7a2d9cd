/** systemd unit files as data, for the tests of installers/ (no systemd runs in the tests). */

/** `[Section]` → key → every value (ExecStart and friends may repeat). */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 1 || !section) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq);
    (out[section]![key] ??= []).push(line.slice(eq + 1));
  }
  return out;
}
