// One session's headless terminal: parses its output and reproduces the exact screen on demand.
//
// A repaint first resets whatever a user's terminal may hold, then draws both buffers' cells (draw.ts)
// and restores the rest from xterm's internals: modes, scroll region, origin mode, charsets, tab
// stops, saved cursors, hidden cursor, cursor style, mouse encoding, kitty keyboard flags, the
// current SGR and a cursor waiting to wrap at the last column; pinned by test/unit/screen.test.ts.
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { Terminal, type IBufferLine } from '@xterm/headless';
import { backgroundSgr, contentEnd, drawRows, isBlank, sameAttributes, sgrFor, type Attributes } from './draw';
import { CsiClamp } from './csi-clamp';

export interface ScreenText {
  text: string;
  cols: number;
  rows: number;
  cursor: { x: number; y: number };
  altScreen: boolean;
  /** Modes that change what keys and pastes must look like for the program. */
  bracketedPaste: boolean;
  applicationCursorKeys: boolean;
}

/** One of xterm's two buffers (normal, alternate); the cursor, margins, tabs and DECSC state are per buffer. */
export interface XtermBuffer {
  ybase: number;
  scrollTop: number;
  scrollBottom: number;
  tabs: Record<number, boolean | undefined>;
  savedX: number;
  savedY: number;
  savedCurAttrData: Attributes;
  savedCharset: object | undefined;
}

/** The internals of xterm.js this module reads; kept in one place so a version bump fails loudly. */
export interface XtermCore {
  buffer: XtermBuffer;
  buffers: { normal: XtermBuffer; alt: XtermBuffer };
  coreService: { isCursorHidden: boolean; decPrivateModes: { cursorStyle?: string; cursorBlink?: boolean } };
  coreMouseService: { activeEncoding: string };
  optionsService: { rawOptions: { cursorBlink: boolean; convertEol: boolean } };
  _charsetService: { glevel: number; _charsets: (object | undefined)[] };
  _inputHandler: { _curAttrData: Attributes; selectCharset(collectAndFlag: string): boolean };
}

function coreOf(terminal: Terminal): XtermCore {
  return (terminal as unknown as { _core: XtermCore })._core;
}

/** One buffer line with an SGR sequence wherever the attributes change, ending reset. */
function lineToAnsi(line: IBufferLine, cols: number): string {
  let out = '';
  let previous = '\x1b[0m';
  let end = cols;
  while (end > 0 && (line.getCell(end - 1)?.getChars() ?? '') === '' && line.getCell(end - 1)?.isAttributeDefault()) end--;
  for (let x = 0; x < end; x++) {
    const cell = line.getCell(x);
    if (!cell || cell.getWidth() === 0) continue;
    const sgr = sgrFor(cell);
    if (sgr !== previous) out += sgr;
    previous = sgr;
    out += cell.getChars() || ' ';
  }
  return previous === '\x1b[0m' ? out : `${out}\x1b[0m`;
}

const CURSOR_STYLES: Record<string, number> = { block: 2, underline: 4, bar: 6 };
const MOUSE_PROTOCOLS: Record<string, string> = { x10: '\x1b[?9h', vt200: '\x1b[?1000h', drag: '\x1b[?1002h', any: '\x1b[?1003h' };
const MOUSE_ENCODINGS: Record<string, string> = { SGR: '\x1b[?1006h', SGR_PIXELS: '\x1b[?1016h' };
/** Mouse encodings xterm.js ignores but the user's terminal honours, so the program gets what it asked for. */
const LEGACY_MOUSE_ENCODINGS = new Set([1005, 1015]);
const GL_SHIFTS = ['', '\x0e', '\x1bn', '\x1bo'];
/** Kitty keeps at most this many keyboard flag entries per screen, evicting the oldest. */
const KEYBOARD_STACK_DEPTH = 8;
/** A pop count that empties any kitty keyboard stack, which resets its flags. */
const POP_ALL_KEYBOARD_FLAGS = '\x1b[<99u';

/**
 * Puts the user's terminal into a known state before a repaint, undoing whatever any program left
 * there: keyboard flags of both screens, the alternate screen, SGR, margins, modes, mouse reporting,
 * cursor style, charsets. The cursor stays hidden until the repaint ends.
 */
export const REPAINT_PREFIX =
  `\x1b[?25l\x1b[?1049l${POP_ALL_KEYBOARD_FLAGS}\x1b[?1047h${POP_ALL_KEYBOARD_FLAGS}\x1b[?1047l\x1b[0m\x1b[r\x1b[?6l\x1b[4l\x1b[20l\x1b[?7h` +
  '\x1b[?1l\x1b[?66l\x1b>\x1b[?2004l\x1b[?45l\x1b[?1004l\x1b[?9;1000;1001;1002;1003l\x1b[?1005;1006;1015;1016l\x1b[0 q\x1b[?2026l' +
  '\x1b(B\x1b)B\x1b*B\x1b+B\x0f\x1b[H\x1b[2J';

let designators: Map<object, string> | undefined;

/** The final byte of `ESC ( x` that designates this xterm.js charset (B, US ASCII, when unknown). */
function charsetDesignator(charset: object | undefined): string {
  if (!charset) return 'B';
  if (!designators) {
    // xterm.js keeps one object per charset; map them back to their designators once, on a scratch terminal.
    const scratch = new Terminal({ allowProposedApi: true });
    const core = coreOf(scratch);
    designators = new Map();
    for (const final of '0A4C5RQKYE6ZH7=') {
      core._inputHandler.selectCharset(`(${final}`);
      const found = core._charsetService._charsets[0];
      if (found && !designators.has(found)) designators.set(found, final);
    }
    scratch.dispose();
  }
  return designators.get(charset) ?? 'B';
}

export class Screen {
  readonly terminal: Terminal;
  /** Kitty keyboard protocol flag stacks, one per screen as the protocol says; xterm.js does not implement them. */
  private readonly keyboard: Record<'normal' | 'alternate', number[]> = { normal: [], alternate: [] };
  /** Mouse encoding 1005 or 1015 when the program set one (xterm.js tracks only 1006 and 1016). */
  private legacyMouseEncoding: number | undefined;
  private readonly clamp = new CsiClamp(() => ({ cols: this.terminal.cols, rows: this.terminal.rows }));

  constructor(cols: number, rows: number, scrollback: number) {
    this.terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    this.trackUnimplementedState();
  }

  /** The kitty keyboard flag stacks of both screens, bottom first. */
  get keyboardFlags(): { normal: number[]; alternate: number[] } {
    return { normal: [...this.keyboard.normal], alternate: [...this.keyboard.alternate] };
  }

  /** Follows state xterm.js parses but does not keep (handlers return false so xterm still sees the rest). */
  private trackUnimplementedState(): void {
    const parser = this.terminal.parser;
    const stack = () => this.keyboard[this.terminal.buffer.active.type];
    parser.registerCsiHandler({ prefix: '>', final: 'u' }, (params) => {
      const flags = stack();
      flags.push(Number(params[0] ?? 0));
      if (flags.length > KEYBOARD_STACK_DEPTH) flags.shift();
      return true;
    });
    parser.registerCsiHandler({ prefix: '<', final: 'u' }, (params) => {
      const flags = stack();
      flags.splice(Math.max(0, flags.length - Math.max(1, Number(params[0] ?? 1))));
      return true;
    });
    parser.registerCsiHandler({ prefix: '=', final: 'u' }, (params) => {
      const flags = stack();
      const value = Number(params[0] ?? 0);
      const mode = Number(params[1] ?? 1);
      const top = flags.length ? flags.pop()! : 0;
      flags.push(mode === 1 ? value : mode === 2 ? top | value : top & ~value);
      return true;
    });
    const mouseEncoding = (on: boolean) => (params: (number | number[])[]) => {
      for (const param of params) {
        if (on && LEGACY_MOUSE_ENCODINGS.has(param as number)) this.legacyMouseEncoding = param as number;
        else if (on ? param === 1006 || param === 1016 : param === this.legacyMouseEncoding) this.legacyMouseEncoding = undefined;
      }
      return false;
    };
    parser.registerCsiHandler({ prefix: '?', final: 'h' }, mouseEncoding(true));
    parser.registerCsiHandler({ prefix: '?', final: 'l' }, mouseEncoding(false));
    parser.registerEscHandler({ final: 'c' }, () => {
      this.keyboard.normal = [];
      this.keyboard.alternate = [];
      this.legacyMouseEncoding = undefined;
      return false;
    });
  }

  write(data: Uint8Array | string, done?: () => void): void {
    this.terminal.write(typeof data === 'string' ? data : this.clamp.filter(data), done);
  }

  /** Resolves once everything written so far has been parsed. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  private get core(): XtermCore {
    return coreOf(this.terminal);
  }

  /**
   * Bytes that turn any terminal of the same size into this screen: visible rows (plus `scrollback`
   * lines above them), alternate screen, modes, cursor position, shape and visibility, and the state
   * that only shows in later output (current SGR, charsets, tab stops, saved cursor, pending wrap).
   */
  repaint(scrollback = 0): string {
    const terminal = this.terminal;
    const core = this.core;
    const onAlt = terminal.buffer.active.type === 'alternate';
    const normal = terminal.buffer.normal;
    // Start where the first row's line starts, so that it is a soft-wrapped continuation there too.
    let first = Math.max(0, normal.baseY - scrollback);
    for (let extra = 0; first > 0 && extra < terminal.rows && normal.getLine(first)?.isWrapped; extra++) first--;
    // Drawing scrollback needs every row for it to scroll by the right amount; the screen alone does not.
    const end = normal.baseY + terminal.rows;
    let out = REPAINT_PREFIX + drawRows(normal, first, first < normal.baseY ? end : contentEnd(normal, first, end, terminal.cols), terminal.cols);
    // xterm.js keeps margins per buffer, terminals keep one pair: set the normal buffer's here, and
    // reset them before drawing the alternate screen, so both models end with the right margins.
    if (onAlt) out += this.margins(core.buffers.normal);
    out += this.bufferState(core.buffers.normal, this.keyboard.normal);
    if (!onAlt && this.keyboard.alternate.length) {
      // Kitty keeps the alternate screen's flags while the normal one shows, for when a program returns.
      out += `\x1b[?1047h${this.keyboardPushes(this.keyboard.alternate)}\x1b[?1047l`;
    }
    if (onAlt) {
      // Entering saves the cursor as the normal buffer's DECSC state, which bufferState just set up.
      // The alternate screen is cleared with the default background whatever SGR that state has.
      out += `\x1b[?1049h${POP_ALL_KEYBOARD_FLAGS}\x1b(B\x1b[0m\x1b[r\x1b[H\x1b[2J`;
      const alternate = terminal.buffer.alternate;
      out += drawRows(alternate, 0, contentEnd(alternate, 0, terminal.rows, terminal.cols), terminal.cols) + this.bufferState(core.buffers.alt, this.keyboard.alternate);
    }
    // Back to ASCII in G0 (bufferState designated the saved charset) until charsets() at the end.
    out += '\x1b(B' + this.modes();

    // Margins, then origin mode, then the cursor: DECSTBM and DECOM both home the cursor.
    out += this.margins(core.buffer);
    const scrollTop = core.buffer.scrollTop;
    const origin = terminal.modes.originMode;
    if (origin) out += '\x1b[?6h';
    const buffer = terminal.buffer.active;
    const row = buffer.cursorY + 1 - (origin ? scrollTop : 0);
    out += buffer.cursorX >= terminal.cols ? this.pendingWrap(buffer.cursorY, row) : `\x1b[${row};${buffer.cursorX + 1}H`;
    out += sgrFor(core._inputHandler._curAttrData);
    // After the pending-wrap rewrite: it must be printed in ASCII, without insert mode and with autowrap.
    out += this.charsets();
    if (terminal.modes.insertMode) out += '\x1b[4h';
    if (!terminal.modes.wraparoundMode) out += '\x1b[?7l';
    out += core.coreService.isCursorHidden ? '\x1b[?25l' : '\x1b[?25h';
    if (terminal.modes.synchronizedOutputMode) out += '\x1b[?2026h';
    return out;
  }

  /** DECSTBM for the buffer's scroll region, unless it is the whole screen (as the prefix left it). */
  private margins(buffer: XtermBuffer): string {
    const full = buffer.scrollTop === 0 && buffer.scrollBottom === this.terminal.rows - 1;
    return full ? '' : `\x1b[${buffer.scrollTop + 1};${buffer.scrollBottom + 1}r`;
  }

  /** A buffer's tab stops, DECSC state (what ESC 8 and leaving the alternate screen restore) and keyboard flags. */
  private bufferState(buffer: XtermBuffer, keyboard: number[]): string {
    let out = this.tabStops(buffer);
    const savedRow = Math.max(buffer.savedY - buffer.ybase, 0) + 1;
    out += `\x1b[${savedRow};${buffer.savedX + 1}H${sgrFor(buffer.savedCurAttrData)}\x1b(${charsetDesignator(buffer.savedCharset)}\x1b7`;
    return out + this.keyboardPushes(keyboard);
  }

  private keyboardPushes(keyboard: number[]): string {
    return keyboard.map((flags) => `\x1b[>${flags}u`).join('');
  }

  /** Designates G0–G3 (the prefix set them all to ASCII) and shifts the active one in. */
  private charsets(): string {
    const service = this.core._charsetService;
    let out = '';
    ['(', ')', '*', '+'].forEach((intermediate, g) => {
      const designator = charsetDesignator(service._charsets[g]);
      if (g === 0 || designator !== 'B') out += `\x1b${intermediate}${designator}`;
    });
    return out + (GL_SHIFTS[service.glevel] ?? '');
  }

  /** Modes the prefix turned off, set again when the program has them on. */
  private modes(): string {
    const modes = this.terminal.modes;
    const core = this.core;
    let out = '';
    if (modes.applicationCursorKeysMode) out += '\x1b[?1h';
    if (modes.applicationKeypadMode) out += '\x1b=';
    if (modes.bracketedPasteMode) out += '\x1b[?2004h';
    if (modes.reverseWraparoundMode) out += '\x1b[?45h';
    if (modes.sendFocusMode) out += '\x1b[?1004h';
    if (core.optionsService.rawOptions.convertEol) out += '\x1b[20h';
    out += MOUSE_PROTOCOLS[modes.mouseTrackingMode] ?? '';
    out += MOUSE_ENCODINGS[core.coreMouseService.activeEncoding] ?? '';
    if (this.legacyMouseEncoding) out += `\x1b[?${this.legacyMouseEncoding}h`;
    const { cursorStyle, cursorBlink } = core.coreService.decPrivateModes;
    if (cursorStyle && CURSOR_STYLES[cursorStyle] !== undefined) out += `\x1b[${CURSOR_STYLES[cursorStyle]! - (cursorBlink ? 1 : 0)} q`;
    if (core.optionsService.rawOptions.cursorBlink) out += '\x1b[?12h';
    return out;
  }

  /** The cursor sits past the last column waiting to wrap: rewrite the last cell to get there. */
  private pendingWrap(y: number, row: number): string {
    const terminal = this.terminal;
    const line = terminal.buffer.active.getLine(terminal.buffer.active.baseY + y);
    let col = terminal.cols - 1;
    let cell = line?.getCell(col);
    if (cell && cell.getWidth() === 0 && col > 0) cell = line?.getCell(--col);
    if (!line || !cell) return `\x1b[${row};${terminal.cols}H`;
    const at = `\x1b[${row};${col + 1}H`;
    if (cell.getChars()) return `${at}${sgrFor(cell)}${cell.getChars()}`;
    // The row changed under a waiting cursor (scrolled or erased) and its last cell is blank. A wholly
    // blank row is made again exactly by erasing it all from there (EL 1 keeps the cursor waiting);
    // otherwise a space stands in for the blank cell.
    const other = line.getCell(0)!;
    let blankRow = true;
    for (let x = 0; x < terminal.cols && blankRow; x++) blankRow = isBlank(line.getCell(x, other)!) && sameAttributes(other, cell);
    return blankRow ? `${at}${backgroundSgr(cell)} \x1b[1K` : `${at}${sgrFor(cell)} `;
  }

  /** Clears every tab stop, then sets each of the buffer's (HTS at its column); the cursor is placed later. */
  private tabStops(buffer: XtermBuffer): string {
    let out = '\x1b[3g';
    for (const column of Object.keys(buffer.tabs).map(Number)) {
      if (buffer.tabs[column] && column < this.terminal.cols) out += `\x1b[1;${column + 1}H\x1bH`;
    }
    return out;
  }

  /**
   * The output's last lines, for `tail`: wrapped rows joined back into the lines the program printed,
   * the last `count` complete ones, and — when the output ends on the cursor's line — that line so far
   * (`partial`, with the cursor's index in it, where the next output continues). On the alternate
   * screen (a full-screen program) the lines are the screen's rows, runs of empty ones as one.
   */
  tail(count: number): { lines: string[]; partial: string; cursor: number } {
    const buffer = this.terminal.buffer.active;
    const rowText = (y: number, trim: boolean) => buffer.getLine(y)?.translateToString(trim) ?? '';
    let last = buffer.baseY + this.terminal.rows - 1;
    while (last >= 0 && rowText(last, true) === '') last--;
    if (buffer.type === 'alternate') {
      // A full-screen program lays its text out in rows: runs of empty rows say nothing, one is kept.
      const lines: string[] = [];
      for (let y = 0; y <= last; y++) {
        const text = rowText(y, true);
        if (text || (lines.length && lines[lines.length - 1])) lines.push(text);
      }
      return { lines: lines.slice(Math.max(0, lines.length - count)), partial: '', cursor: 0 };
    }
    /** The logical line that ends at row `end`: from its first row (not a wrapped continuation) on. */
    const logical = (end: number): { start: number; text: string } => {
      let start = end;
      while (start > 0 && buffer.getLine(start)?.isWrapped) start--;
      let text = '';
      for (let y = start; y <= end; y++) text += rowText(y, y === end);
      return { start, text };
    };
    const cursorRow = buffer.baseY + buffer.cursorY;
    let partial = '';
    let cursor = 0;
    let end = last;
    if (cursorRow >= last) {
      const line = logical(cursorRow);
      const before = line.text.length - rowText(cursorRow, true).length;
      cursor = before + buffer.cursorX;
      partial = line.text.padEnd(cursor);
      end = line.start - 1;
    }
    const lines: string[] = [];
    while (end >= 0 && lines.length < count) {
      const line = logical(end);
      lines.unshift(line.text);
      end = line.start - 1;
    }
    return { lines, partial, cursor };
  }

  /** The screen as text, like `tmux capture-pane -p` (`-e` when ansi), without trailing blank lines. */
  text(options: { ansi: boolean; scrollback: number }): ScreenText {
    const terminal = this.terminal;
    const buffer = terminal.buffer.active;
    const base = buffer.baseY;
    const start = Math.max(0, base - options.scrollback);
    const end = base + terminal.rows;
    const lines: string[] = [];
    for (let y = start; y < end; y++) {
      const line = buffer.getLine(y);
      lines.push(!line ? '' : options.ansi ? lineToAnsi(line, terminal.cols) : line.translateToString(true));
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    const text = lines.join('\n');
    return {
      text,
      cols: terminal.cols,
      rows: terminal.rows,
      cursor: { x: Math.min(buffer.cursorX, terminal.cols - 1), y: buffer.cursorY },
      altScreen: buffer.type === 'alternate',
      bracketedPaste: terminal.modes.bracketedPasteMode,
      applicationCursorKeys: terminal.modes.applicationCursorKeysMode,
    };
  }

  dispose(): void {
    this.terminal.dispose();
  }
}
