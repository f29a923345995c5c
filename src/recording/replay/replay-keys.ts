// Keys the replay player understands, decoded from raw terminal input.
//
// The replayed bytes switch on whatever the recorded program switched on in the user's terminal
// (mouse reporting, bracketed paste, the kitty keyboard protocol, application cursor keys) and ask it
// questions (DA, DSR, colours), so input carries mouse reports, terminal replies, pastes and keys in
// several encodings. Every escape sequence is consumed whole; only the keys below act.

export type ReplayAction = 'toggle' | 'step' | 'faster' | 'slower' | 'back' | 'forward' | 'next' | 'quit';

const ESC = 0x1b;
const BEL = 0x07;
/** Keys by their character code (plain bytes, kitty CSI-u and modifyOtherKeys all reduce to this). */
const KEYS: Record<number, ReplayAction> = {
  0x20: 'toggle', // space
  0x2e: 'step', // .
  0x2b: 'faster', // +
  0x3d: 'faster', // = (+ without shift)
  0x2d: 'slower', // -
  0x5f: 'slower', // _
  0x5d: 'next', // ]
  0x71: 'quit', // q
  0x51: 'quit', // Q
  0x03: 'quit', // C-c
};
const ARROWS: Record<string, ReplayAction> = { C: 'forward', D: 'back' };
/** Longest sequence kept across reads; anything longer is dropped as garbage. */
const MAX_CARRY = 4096;

type Parsed = { end: number; action?: ReplayAction | undefined } | 'incomplete';

export class ReplayKeys {
  private carry: Buffer | undefined;
  private inPaste = false;

  feed(data: Buffer): ReplayAction[] {
    const buffer = this.carry ? Buffer.concat([this.carry, data]) : data;
    this.carry = undefined;
    const actions: ReplayAction[] = [];
    let at = 0;
    while (at < buffer.length) {
      const byte = buffer[at]!;
      if (byte !== ESC) {
        if (!this.inPaste && KEYS[byte]) actions.push(KEYS[byte]);
        at++;
        continue;
      }
      const parsed = this.sequence(buffer, at);
      if (parsed === 'incomplete') {
        // A lone ESC at the end is the Escape key, not the start of a sequence.
        if (buffer.length - at > 1 && buffer.length - at < MAX_CARRY) this.carry = Buffer.from(buffer.subarray(at));
        break;
      }
      if (parsed.action && !this.inPaste) actions.push(parsed.action);
      at = parsed.end;
    }
    return actions;
  }

  private sequence(buffer: Buffer, at: number): Parsed {
    const kind = buffer[at + 1];
    if (kind === undefined) return 'incomplete';
    switch (kind) {
      case 0x5b: // [
        return this.csi(buffer, at);
      case 0x4f: {
        // SS3: arrows in application cursor mode.
        const final = buffer[at + 2];
        return final === undefined ? 'incomplete' : { end: at + 3, action: ARROWS[String.fromCharCode(final)] };
      }
      case 0x5d: // OSC
      case 0x50: // DCS
      case 0x5f: // APC
      case 0x5e: // PM
      case 0x58: // SOS
        return stringEnd(buffer, at + 2, kind === 0x5d);
      default:
        return { end: at + 2 }; // Alt+key
    }
  }

  private csi(buffer: Buffer, at: number): Parsed {
    let index = at + 2;
    while (index < buffer.length && buffer[index]! >= 0x20 && buffer[index]! <= 0x3f) index++;
    if (index >= buffer.length) return 'incomplete';
    const final = buffer[index]!;
    const params = buffer.toString('latin1', at + 2, index);
    if (final < 0x40 || final > 0x7e) return { end: index }; // Malformed: resume at the odd byte.
    if (final === 0x4d /* M */ && params === '') {
      // X10 mouse report: three raw bytes follow.
      return index + 3 < buffer.length ? { end: index + 4 } : 'incomplete';
    }
    if (final === 0x7e /* ~ */ && (params === '200' || params === '201')) {
      this.inPaste = params === '200';
      return { end: index + 1 };
    }
    return { end: index + 1, action: csiKey(params, String.fromCharCode(final)) };
  }
}

/** The end of an OSC/DCS/APC string: ST (ESC \), or BEL for OSC. */
function stringEnd(buffer: Buffer, from: number, belEnds: boolean): Parsed {
  for (let index = from; index < buffer.length; index++) {
    const byte = buffer[index]!;
    if (byte === BEL && belEnds) return { end: index + 1 };
    if (byte === ESC) {
      if (index + 1 >= buffer.length) return 'incomplete';
      if (buffer[index + 1] === 0x5c) return { end: index + 2 };
    }
  }
  return 'incomplete';
}

/** A key in CSI form: arrows (`CSI C`, `CSI 1;5C`), kitty (`CSI code;mods:event u`), modifyOtherKeys (`CSI 27;mods;code ~`). */
function csiKey(params: string, final: string): ReplayAction | undefined {
  // Private leaders are replies and mouse reports (`CSI ?…c`, `CSI <…M`), never keys.
  if (/^[<=>?]/.test(params)) return undefined;
  const fields = params.split(';').map((field) => field.split(':').map(Number));
  const [modifiers = 1, event = 1] = fields[1] ?? [];
  if (event === 3) return undefined; // kitty key release
  if (final === 'C' || final === 'D') return ARROWS[final];
  let code: number | undefined;
  if (final === 'u') code = fields[0]?.[0];
  else if (final === '~' && fields[0]?.[0] === 27) code = fields[2]?.[0];
  if (code === undefined) return undefined;
  const bits = modifiers - 1;
  const ctrl = (bits & 4) !== 0;
  if (ctrl) return code === 0x63 || code === 0x43 ? 'quit' : undefined;
  return (bits & 2) === 0 ? KEYS[code] : undefined; // Alt+key does nothing
}
