// The attach client's prefix key (default C-b): `prefix d` detaches, `prefix prefix` types the prefix itself.
//
// Keys arrive as legacy bytes (0x02 for C-b), as CSI-u sequences (`ESC [ 98 ; 5 u`) when the program
// enabled the kitty keyboard protocol in the user's terminal, or as `ESC [ 27 ; 5 ; 98 ~` under xterm's
// modifyOtherKeys; all are recognised. Input is cut into whole keys (escape sequences, UTF-8
// characters) so that an unbound key after the prefix is swallowed whole, as tmux does, rather than
// leaving the tail of an arrow key or of a character to be typed into the program.
import { controlKeyChar } from '../keys';

export type PrefixAction = { type: 'input'; data: Buffer } | { type: 'detach' };

const ESC = '\x1b';
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
/** Kitty modifier bits (the encoded value minus one). */
const CTRL = 4;
const LOCKS = 64 | 128;
/** Kitty codes of the modifier keys themselves (sent with "report all keys"): never the key after the prefix. */
const MODIFIER_KEYS = new Set([57358, 57360, ...Array.from({ length: 14 }, (_, index) => 57441 + index)]);

interface KeyEvent {
  code: number;
  /** Modifier bits: 1 shift, 2 alt, 4 ctrl, 8 super…, 64 caps lock, 128 num lock. */
  mods: number;
  release: boolean;
}

/** The key a CSI-u or modifyOtherKeys sequence reports, if it is one. */
function keyEvent(key: string): KeyEvent | undefined {
  if (key.length < 4 || key[1] !== '[') return undefined;
  const kitty = /^\x1b\[(\d+)(?::\d*)*(?:;(\d*)(?::(\d+))?(?:;[\d:]*)?)?u$/.exec(key);
  if (kitty) return { code: Number(kitty[1]), mods: Math.max(0, (Number(kitty[2]) || 1) - 1), release: kitty[3] === '3' };
  const other = /^\x1b\[27;(\d+);(\d+)~$/.exec(key);
  if (other) return { code: Number(other[2]), mods: Math.max(0, Number(other[1]) - 1), release: false };
  return undefined;
}

/** One whole key starting at `index` of latin1 text: an escape sequence, a UTF-8 character or a byte. */
function nextKey(text: string, index: number): string {
  const byte = text.charCodeAt(index);
  if (byte === 0x1b) return escapeSequence(text, index);
  if (byte >= 0xc0 && byte < 0xf8) {
    const length = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
    let end = index + 1;
    while (end < index + length && (text.charCodeAt(end) & 0xc0) === 0x80) end++;
    return text.slice(index, end);
  }
  return text[index]!;
}

function escapeSequence(text: string, index: number): string {
  const next = text[index + 1];
  if (next === undefined) return ESC;
  if (next === '[') {
    let end = index + 2;
    // Parameter and intermediate bytes, then one final byte.
    while (end < text.length && text.charCodeAt(end) >= 0x20 && text.charCodeAt(end) <= 0x3f) end++;
    const final = text.charCodeAt(end);
    if (Number.isNaN(final) || final < 0x40 || final > 0x7e) return text.slice(index, end);
    // X10 mouse report: ESC [ M and three raw bytes.
    if (final === 0x4d && end === index + 2) return text.slice(index, end + 4);
    return text.slice(index, end + 1);
  }
  if (next === 'O') return text.slice(index, index + 3);
  // Meta (Alt) + key: ESC before a character, or before an escape sequence (M-Up is ESC ESC [ A).
  if (next === ESC) return text[index + 2] === '[' || text[index + 2] === 'O' ? ESC + escapeSequence(text, index + 1) : ESC;
  return ESC + nextKey(text, index + 1);
}

export class PrefixKeys {
  private armed = false;
  private pasting = false;
  private readonly legacy: string;
  /** The prefix's letter as kitty reports it (`b` = 98 for C-b). */
  private readonly letter: number;
  /** Kitty key codes whose press was taken by the prefix: their release is not the program's either. */
  private readonly swallowed = new Set<number>();

  constructor(prefix: number) {
    this.legacy = String.fromCharCode(prefix);
    this.letter = controlKeyChar(prefix).charCodeAt(0);
  }

  /** Splits typed bytes into input for the session and prefix commands, in order. */
  feed(data: Buffer): PrefixAction[] {
    if (data.length === 0) return [];
    const text = data.toString('latin1');
    if (!this.armed && !text.includes(this.legacy) && !text.includes(`${ESC}[`)) return [{ type: 'input', data }];
    const actions: PrefixAction[] = [];
    let pending = '';
    let untouched = true;
    const flush = () => {
      if (pending) actions.push({ type: 'input', data: Buffer.from(pending, 'latin1') });
      pending = '';
    };
    for (let index = 0; index < text.length; ) {
      const key = nextKey(text, index);
      index += key.length;
      // A paste is text, never commands, even if it contains the prefix byte.
      if (key === PASTE_START) this.pasting = true;
      if (this.pasting) {
        if (key === PASTE_END) this.pasting = false;
        pending += key;
        continue;
      }
      const event = keyEvent(key);
      if (event?.release && this.swallowed.delete(event.code)) {
        untouched = false;
        continue;
      }
      if (this.armed) {
        // Releases and bare modifier keys come between the prefix and the key that follows it.
        if (event && (event.release || MODIFIER_KEYS.has(event.code))) {
          pending += key;
          continue;
        }
        this.armed = false;
        untouched = false;
        if (this.isPrefix(key, event)) {
          pending += key;
          continue;
        }
        if (event) this.swallowed.add(event.code);
        if (key === 'd' || (event?.code === 0x64 && (event.mods & ~LOCKS) === 0)) {
          flush();
          actions.push({ type: 'detach' });
          return actions;
        }
        // Any other key after the prefix is not bound: swallow it, as tmux does.
        continue;
      }
      if (this.isPrefix(key, event)) {
        this.armed = true;
        untouched = false;
        if (event) this.swallowed.add(event.code);
        continue;
      }
      pending += key;
    }
    if (untouched) return [{ type: 'input', data }];
    flush();
    return actions;
  }

  private isPrefix(key: string, event: KeyEvent | undefined): boolean {
    if (key === this.legacy) return true;
    return event !== undefined && !event.release && event.code === this.letter && (event.mods & ~LOCKS) === CTRL;
  }
}
