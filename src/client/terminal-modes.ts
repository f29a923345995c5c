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
  45: '\x1b[?45l', // reverse wraparound
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
/** ANSI (non-private) modes that are off by default: insert (IRM) and new-line (LNM). */
const ANSI_MODE_RESETS: Record<number, string> = { 4: '\x1b[4l', 20: '\x1b[20l' };
/** What DECSTR (soft reset) certainly resets everywhere; the rest stays tracked, as resetting it again is harmless. */
const SOFT_RESET_MODES = [1, 6, 66];

/** Kitty keyboard flags a program pushed on one screen (each screen has its own stack). */
interface KeyboardStack {
  depth: number;
  /** Flags changed with `CSI = … u` below the program's own pushes, i.e. the user's entry. */
  setBelow: boolean;
}

export class TerminalModes {
  private carry: Buffer | undefined;
  private readonly setModes = new Set<number>();
  private readonly clearedModes = new Set<number>();
  private altScreen: number | undefined;
  private readonly ansiModes = new Set<number>();
  private keypad = false;
  private keyboard: { main: KeyboardStack; alt: KeyboardStack } = { main: { depth: 0, setBelow: false }, alt: { depth: 0, setBelow: false } };
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
    } else if ((final === 0x68 || final === 0x6c) && /^[0-9;]+$/.test(params)) {
      for (const mode of params.split(';').map(Number)) {
        if (!(mode in ANSI_MODE_RESETS)) continue;
        if (final === 0x68) this.ansiModes.add(mode);
        else this.ansiModes.delete(mode);
      }
    } else if (final === 0x75 /* u: kitty keyboard */) {
      const stack = this.altScreen === undefined ? this.keyboard.main : this.keyboard.alt;
      if (leader === '>') stack.depth++;
      else if (leader === '<') stack.depth = Math.max(0, stack.depth - Math.max(1, Number(params.slice(1)) || 1));
      else if (leader === '=' && stack.depth === 0) stack.setBelow = true;
    } else if (leader === '>' && final === 0x6d /* m */ && params.startsWith('>4')) {
      this.modifyOtherKeys = !/^>4(;0)?$/.test(params);
    } else if (final === 0x71 /* q */ && params.endsWith(' ')) {
      this.cursorStyle = true;
    } else if (final === 0x72 /* r */ && leader !== '?') {
      this.scrollRegion = params !== '';
    } else if (final === 0x70 /* p */ && params === '!') {
      this.softReset();
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

  /** RIS: the terminal is back to its initial state, as are both keyboard stacks. */
  private reset(): void {
    this.setModes.clear();
    this.clearedModes.clear();
    this.ansiModes.clear();
    this.altScreen = undefined;
    this.keypad = this.modifyOtherKeys = this.cursorStyle = this.scrollRegion = false;
    this.keyboard = { main: { depth: 0, setBelow: false }, alt: { depth: 0, setBelow: false } };
  }

  /**
   * DECSTR resets cursor keys, keypad, origin mode, insert mode, margins and shows the cursor; it
   * leaves the screen, mouse reporting and paste modes alone, so those stay tracked.
   */
  private softReset(): void {
    for (const mode of SOFT_RESET_MODES) this.setModes.delete(mode);
    this.clearedModes.delete(25);
    // VT510's DECSTR turns autowrap off, xterm's leaves it: turn it back on either way.
    this.clearedModes.add(7);
    this.ansiModes.delete(4);
    this.keypad = this.scrollRegion = false;
  }

  /** Bytes that put the user's terminal back as it was before the session touched it. */
  restoreSequence(): string {
    const { main, alt } = this.keyboard;
    let out = '';
    // Keyboard flags are popped on the screen they were pushed on, so the user's own stay.
    if (this.altScreen !== undefined) out += `${popKeyboard(alt)}\x1b[?${this.altScreen}l`;
    else if (alt.depth > 0 || alt.setBelow) out += `\x1b[?1047h${popKeyboard(alt)}\x1b[?1047l`;
    out += popKeyboard(main);
    if (this.scrollRegion) out += '\x1b7\x1b[r\x1b8';
    for (const mode of this.setModes) out += PRIVATE_MODE_RESETS[mode];
    for (const mode of this.clearedModes) out += DEFAULT_ON_MODES[mode];
    for (const mode of this.ansiModes) out += ANSI_MODE_RESETS[mode];
    if (this.keypad) out += '\x1b>';
    if (this.modifyOtherKeys) out += '\x1b[>4m';
    if (this.cursorStyle) out += '\x1b[0 q';
    out += '\x1b[0m\x1b(B\x1b)B\x0f\x1b[?25h';
    return out;
  }
}

function popKeyboard(stack: KeyboardStack): string {
  return (stack.depth > 0 ? `\x1b[<${stack.depth}u` : '') + (stack.setBelow ? '\x1b[=0;1u' : '');
}
