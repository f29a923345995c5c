// Key names as tmux spells them (Enter, C-c, Escape, Up, F1, M-x…) and the bytes a terminal sends for them.
import { CcmuxError } from './errors';

const NAMED: Record<string, string> = {
  enter: '\r',
  tab: '\t',
  btab: '\x1b[Z',
  backtab: '\x1b[Z',
  escape: '\x1b',
  esc: '\x1b',
  space: ' ',
  bspace: '\x7f',
  backspace: '\x7f',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  ppage: '\x1b[5~',
  pageup: '\x1b[5~',
  pgup: '\x1b[5~',
  npage: '\x1b[6~',
  pagedown: '\x1b[6~',
  pgdn: '\x1b[6~',
  ic: '\x1b[2~',
  insert: '\x1b[2~',
  dc: '\x1b[3~',
  delete: '\x1b[3~',
  f1: '\x1bOP',
  f2: '\x1bOQ',
  f3: '\x1bOR',
  f4: '\x1bOS',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f9: '\x1b[20~',
  f10: '\x1b[21~',
  f11: '\x1b[23~',
  f12: '\x1b[24~',
};

/** Control character for C-x, or undefined when x has none. */
function controlOf(key: string): string | undefined {
  if (key === 'space' || key === '@' || key === '2') return '\x00';
  if (key.length !== 1) return undefined;
  const code = key.toLowerCase().charCodeAt(0);
  if (code >= 0x61 && code <= 0x7a) return String.fromCharCode(code - 0x60);
  const specials: Record<string, string> = { '[': '\x1b', '\\': '\x1c', ']': '\x1d', '^': '\x1e', '_': '\x1f', '?': '\x7f' };
  return specials[key];
}

/**
 * The bytes for one key name: `Enter`, `C-c`, `M-x`, `C-M-a`, `F5`, or a single literal character.
 * Throws a usage error naming the key when it is unknown.
 */
export function keyBytes(name: string, modes: { applicationCursorKeys?: boolean } = {}): string {
  let rest = name;
  let ctrl = false;
  let meta = false;
  while (rest.length > 2 && rest[1] === '-') {
    const modifier = rest[0]!.toUpperCase();
    if (modifier === 'C') ctrl = true;
    else if (modifier === 'M') meta = true;
    else break;
    rest = rest.slice(2);
  }
  let bytes: string | undefined;
  if (ctrl) bytes = controlOf(rest.toLowerCase() === 'space' ? 'space' : rest);
  else bytes = NAMED[rest.toLowerCase()] ?? (Array.from(rest).length === 1 ? rest : undefined);
  // In application cursor mode (DECCKM) arrows and Home/End are sent as SS3 sequences, as terminals do.
  if (bytes && modes.applicationCursorKeys && /^\x1b\[[ABCDHF]$/.test(bytes)) bytes = `\x1bO${bytes[2]}`;
  if (bytes === undefined) throw new CcmuxError('usage', `unknown key name "${name}" (try Enter, Tab, Escape, C-c, M-x, Up, F1…)`);
  return meta ? `\x1b${bytes}` : bytes;
}

/** The prefix key: a control key such as `C-b` (default) or `C-a`, given as a name. Returns its byte. */
export function prefixByte(name: string): number {
  const bytes = keyBytes(name);
  if (bytes.length !== 1 || bytes.charCodeAt(0) >= 0x20) {
    throw new CcmuxError('usage', `prefix key "${name}" must be a control key such as C-b or C-a`);
  }
  // ESC starts every arrow and function key sequence, so it cannot also be the prefix.
  if (bytes === '\x1b') throw new CcmuxError('usage', `prefix key "${name}" cannot be Escape (C-[); use a key such as C-b or C-a`);
  return bytes.charCodeAt(0);
}

/** The key that Ctrl turns into this control byte: 0x02 → "b", 0x1c → "\\", 0x00 → " ", 0x7f → "?". */
export function controlKeyChar(byte: number): string {
  if (byte === 0) return ' ';
  if (byte === 0x7f) return '?';
  return String.fromCharCode(byte < 0x1b ? byte + 0x60 : byte + 0x40);
}

/** Human name of a control byte, e.g. 0x02 → "C-b". */
export function controlName(byte: number): string {
  return byte === 0 ? 'C-space' : `C-${controlKeyChar(byte)}`;
}
