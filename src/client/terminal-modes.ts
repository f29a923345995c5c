// Watches what a session turns on in the user's terminal (modes, alt screen, keyboard protocols) to undo it.
//
// `ccmux attach` passes the program's bytes straight to the user's terminal, so whatever the program
// switched on (mouse reporting, bracketed paste, the alternate screen, the kitty keyboard protocol…)
// stays on after detach unless we switch it off. Only the sequences that set such state are parsed;
// everything else is skipped with indexOf, so this costs little on the output path.

const ESC = 0x1b;
/** Longest escape sequence we track; anything longer is not one of ours. */
const MAX_SEQUENCE = 64;

/** DEC private modes whose "set" state must be reset on detach, with their reset. */
const PRIVATE_MODE_RESETS: Record<number, string> = {
  1: '\x1b[?1l', // application cursor keys
  5: '\x1b[?5l', // reverse video
  6: '\x1b[?6l', // origin mode
  9: '\x1b[?9l', // mouse X10
  12: '\x1b[?12l', // blinking cursor
  66: '\x1b[?66l', // application keypad
  1000: '\x1b[?1000l', // mouse
  1001: '\x1b[?1001l',
  1002: '\x1b[?1002l',
  1003: '\x1b[?1003l',
  1004: '\x1b[?1004l', // focus events
  1005: '\x1b[?1005l',
  1006: '\x1b[?1006l',
  1015: '\x1b[?1015l',
  1016: '\x1b[?1016l',
  2004: '\x1b[?2004l', // bracketed paste
  2026: '\x1b[?2026l', // synchronized output
};
/** Modes that are on by default and must be set again if the program turned them off. */
const DEFAULT_ON_MODES: Record<number, string> = { 7: '\x1b[?7h', 25: '\x1b[?25h' };
const ALT_SCREEN_MODES = new Set([47, 1047, 1049]);

export class TerminalModes {
  private carry: Buffer | undefined;
  private readonly setModes = new Set<number>();
  private readonly clearedModes = new Set<number>();
  private altScreen: number | undefined;
  private keypad = false;
  private kittyDepth = 0;
  private modifyOtherKeys = false;
  private cursorStyle = false;
  private scrollRegion = false;

  /** Feeds bytes on their way to the user's terminal. */
  observe(data: Buffer): void {
    let buffer = data;
    if (this.carry) {
      buffer = Buffer.concat([this.carry, data]);
      this.carry = undefined;
    }
    let at = buffer.indexOf(ESC);
    while (at !== -1) {
      const end = this.parse(buffer, at);
      if (end === -1) {
        // Possibly a sequence cut by the read boundary: keep it for the next chunk.
        if (buffer.length - at < MAX_SEQUENCE) this.carry = Buffer.from(buffer.subarray(at));
        return;
      }
      at = buffer.indexOf(ESC, end);
    }
  }

  /** Parses the sequence at `at`; returns the index after it, or -1 when it is incomplete. */
  private parse(buffer: Buffer, at: number): number {
    const next = buffer[at + 1];
    if (next === undefined) return -1;
    if (next === 0x3d /* = */) {
      this.keypad = true;
      return at + 2;
    }
    if (next === 0x3e /* > */) {
      this.keypad = false;
      return at + 2;
    }
    if (next === 0x63 /* c: full reset */) {
      this.reset();
      return at + 2;
    }
    if (next !== 0x5b /* [ */) return at + 1;
    // CSI: parameters and intermediates up to a final byte 0x40–0x7e.
    let index = at + 2;
    while (index < buffer.length && index - at < MAX_SEQUENCE) {
      const byte = buffer[index]!;
      if (byte >= 0x40 && byte <= 0x7e) {
        this.csi(buffer.toString('latin1', at + 2, index), byte);
        return index + 1;
      }
      if (byte < 0x20 || byte > 0x3f) return index; // Not a CSI we understand; resume scanning here.
      index++;
    }
    return index - at >= MAX_SEQUENCE ? index : -1;
  }

  private csi(params: string, final: number): void {
    const leader = params[0];
    if (leader === '?' && (final === 0x68 || final === 0x6c)) {
      const on = final === 0x68;
      for (const mode of params.slice(1).split(';').map(Number)) this.privateMode(mode, on);
    } else if (final === 0x75 /* u: kitty keyboard */) {
      if (leader === '>') this.kittyDepth++;
      else if (leader === '<') this.kittyDepth = Math.max(0, this.kittyDepth - Math.max(1, Number(params.slice(1)) || 1));
    } else if (leader === '>' && final === 0x6d /* m */ && params.startsWith('>4')) {
      this.modifyOtherKeys = !/^>4(;0)?$/.test(params);
    } else if (final === 0x71 /* q */ && params.endsWith(' ')) {
      this.cursorStyle = true;
    } else if (final === 0x72 /* r */ && leader !== '?') {
      this.scrollRegion = params !== '';
    } else if (final === 0x70 /* p */ && params === '!') {
      this.reset();
    }
  }

  private privateMode(mode: number, on: boolean): void {
    if (ALT_SCREEN_MODES.has(mode)) {
      this.altScreen = on ? mode : undefined;
    } else if (mode in DEFAULT_ON_MODES) {
      if (on) this.clearedModes.delete(mode);
      else this.clearedModes.add(mode);
    } else if (mode in PRIVATE_MODE_RESETS) {
      if (on) this.setModes.add(mode);
      else this.setModes.delete(mode);
    }
  }

  private reset(): void {
    this.setModes.clear();
    this.clearedModes.clear();
    this.altScreen = undefined;
    this.keypad = this.modifyOtherKeys = this.cursorStyle = this.scrollRegion = false;
    this.kittyDepth = 0;
  }

  /** Bytes that put the user's terminal back as it was before the session touched it. */
  restoreSequence(): string {
    let out = '';
    if (this.altScreen !== undefined) out += `\x1b[?${this.altScreen}l`;
    if (this.scrollRegion) out += '\x1b7\x1b[r\x1b8';
    for (const mode of this.setModes) out += PRIVATE_MODE_RESETS[mode];
    for (const mode of this.clearedModes) out += DEFAULT_ON_MODES[mode];
    if (this.keypad) out += '\x1b>';
    if (this.kittyDepth > 0) out += `\x1b[<${this.kittyDepth}u`;
    if (this.modifyOtherKeys) out += '\x1b[>4m';
    if (this.cursorStyle) out += '\x1b[0 q';
    out += '\x1b[0m\x1b(B\x0f\x1b[?25h';
    return out;
  }
}
