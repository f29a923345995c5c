// One session's headless terminal: parses its output and reproduces the exact screen on demand.
//
// @xterm/addon-serialize restores the buffers, SGR and the common modes; what it misses (scroll
// region, origin mode, charsets, tab stops, hidden cursor, cursor style, mouse encoding, kitty
// keyboard flags, a cursor waiting to wrap at the last column) is restored here from xterm's
// internals, pinned by the tests in test/unit/screen.test.ts.
import { SerializeAddon } from '@xterm/addon-serialize';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { Terminal, type IBufferCell, type IBufferLine } from '@xterm/headless';

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

/** The internals of xterm.js this module reads; kept in one place so a version bump fails loudly. */
interface XtermCore {
  coreService: { isCursorHidden: boolean; decPrivateModes: { cursorStyle?: string; cursorBlink?: boolean } };
  coreMouseService: { activeEncoding: string };
  buffer: { scrollTop: number; scrollBottom: number; tabs: Record<number, boolean>; x: number; y: number };
  _charsetService: { glevel: number; _charsets: (object | undefined)[] };
}

/** Colour/attribute accessors shared by buffer cells and xterm's current-attribute object. */
type Attributes = Pick<
  IBufferCell,
  | 'isBold'
  | 'isDim'
  | 'isItalic'
  | 'isUnderline'
  | 'isBlink'
  | 'isInverse'
  | 'isInvisible'
  | 'isStrikethrough'
  | 'isOverline'
  | 'isFgRGB'
  | 'isFgPalette'
  | 'isBgRGB'
  | 'isBgPalette'
  | 'getFgColor'
  | 'getBgColor'
>;

function colorSgr(base: number, rgb: boolean, palette: boolean, color: number): string {
  if (rgb) return `;${base + 8};2;${(color >> 16) & 255};${(color >> 8) & 255};${color & 255}`;
  if (!palette) return '';
  // The 16 standard colours in their classic short forms (31, 91…), as programs and tmux write them.
  if (color < 8) return `;${base + color}`;
  if (color < 16) return `;${base + 60 + color - 8}`;
  return `;${base + 8};5;${color}`;
}

/** One SGR sequence that sets exactly these attributes from a reset state. */
export function sgrFor(cell: Attributes): string {
  let sgr = '\x1b[0';
  if (cell.isBold()) sgr += ';1';
  if (cell.isDim()) sgr += ';2';
  if (cell.isItalic()) sgr += ';3';
  if (cell.isUnderline()) sgr += ';4';
  if (cell.isBlink()) sgr += ';5';
  if (cell.isInverse()) sgr += ';7';
  if (cell.isInvisible()) sgr += ';8';
  if (cell.isStrikethrough()) sgr += ';9';
  if (cell.isOverline()) sgr += ';53';
  sgr += colorSgr(30, Boolean(cell.isFgRGB()), Boolean(cell.isFgPalette()), cell.getFgColor());
  sgr += colorSgr(40, Boolean(cell.isBgRGB()), Boolean(cell.isBgPalette()), cell.getBgColor());
  return `${sgr}m`;
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
const MOUSE_ENCODINGS: Record<string, string> = { SGR: '\x1b[?1006h', SGR_PIXELS: '\x1b[?1016h', URXVT: '\x1b[?1015h', UTF8: '\x1b[?1005h' };

/**
 * Puts the user's terminal into a known state before a repaint: leave the alternate screen, reset
 * attributes, scroll region, origin and insert modes, charsets, then clear.
 */
export const REPAINT_PREFIX = '\x1b[?1049l\x1b[0m\x1b[r\x1b[?6l\x1b[4l\x1b[?7h\x1b(B\x1b)B\x0f\x1b[H\x1b[2J';

export class Screen {
  readonly terminal: Terminal;
  private readonly serializer = new SerializeAddon();
  /** Kitty keyboard protocol flags stack, which xterm.js does not implement but programs push. */
  private kittyFlags: number[] = [];

  constructor(cols: number, rows: number, scrollback: number) {
    this.terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.terminal.loadAddon(this.serializer);
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    this.trackKittyKeyboard();
  }

  private trackKittyKeyboard(): void {
    const parser = this.terminal.parser;
    parser.registerCsiHandler({ prefix: '>', final: 'u' }, (params) => {
      this.kittyFlags.push(Number(params[0] ?? 0));
      return true;
    });
    parser.registerCsiHandler({ prefix: '<', final: 'u' }, (params) => {
      const count = Math.max(1, Number(params[0] ?? 1));
      this.kittyFlags.splice(Math.max(0, this.kittyFlags.length - count));
      return true;
    });
    parser.registerCsiHandler({ prefix: '=', final: 'u' }, (params) => {
      const flags = Number(params[0] ?? 0);
      const mode = Number(params[1] ?? 1);
      const top = this.kittyFlags.length ? this.kittyFlags.pop()! : 0;
      this.kittyFlags.push(mode === 1 ? flags : mode === 2 ? top | flags : top & ~flags);
      return true;
    });
    parser.registerEscHandler({ final: 'c' }, () => {
      this.kittyFlags = [];
      return false;
    });
  }

  write(data: Uint8Array | string, done?: () => void): void {
    this.terminal.write(data, done);
  }

  /** Resolves once everything written so far has been parsed. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  private get core(): XtermCore {
    return (this.terminal as unknown as { _core: XtermCore })._core;
  }

  /**
   * Bytes that turn any terminal of the same size into this screen: visible rows (plus `scrollback`
   * lines above them), alternate screen, modes, cursor position, shape and visibility.
   */
  repaint(scrollback = 0): string {
    const terminal = this.terminal;
    const core = this.core;
    const buffer = terminal.buffer.active;
    let out = REPAINT_PREFIX + this.serializer.serialize({ scrollback, excludeModes: false });

    // What serialize() leaves out.
    const charsets = core._charsetService._charsets;
    if (charsets[0]) out += '\x1b(0';
    if (charsets[1]) out += '\x1b)0';
    if (core._charsetService.glevel === 1) out += '\x0e';
    out += this.tabStops();
    out += MOUSE_ENCODINGS[core.coreMouseService.activeEncoding] ?? '';
    const style = core.coreService.decPrivateModes.cursorStyle;
    if (style && CURSOR_STYLES[style] !== undefined) {
      out += `\x1b[${CURSOR_STYLES[style]! - (core.coreService.decPrivateModes.cursorBlink ? 1 : 0)} q`;
    }
    for (const flags of this.kittyFlags) out += `\x1b[>${flags}u`;

    const { scrollTop, scrollBottom } = core.buffer;
    const fullRegion = scrollTop === 0 && scrollBottom === terminal.rows - 1;
    if (!fullRegion) out += `\x1b[${scrollTop + 1};${scrollBottom + 1}r`;
    const origin = terminal.modes.originMode;
    if (origin) out += '\x1b[?6h';

    // Absolute cursor position last (DECSTBM and DECOM both home the cursor).
    const row = buffer.cursorY + 1 - (origin ? scrollTop : 0);
    if (buffer.cursorX >= terminal.cols) out += this.pendingWrap(buffer.cursorY, row);
    else out += `\x1b[${row};${buffer.cursorX + 1}H`;
    out += core.coreService.isCursorHidden ? '\x1b[?25l' : '\x1b[?25h';
    return out;
  }

  /** The cursor sits past the last column waiting to wrap: rewrite the last cell to get there. */
  private pendingWrap(y: number, row: number): string {
    const terminal = this.terminal;
    const line = terminal.buffer.active.getLine(terminal.buffer.active.baseY + y);
    let col = terminal.cols - 1;
    let cell = line?.getCell(col);
    if (cell && cell.getWidth() === 0 && col > 0) cell = line?.getCell(--col);
    if (!cell) return `\x1b[${row};${terminal.cols}H`;
    const current = (terminal as unknown as { _core: { _inputHandler: { _curAttrData: Attributes } } })._core._inputHandler._curAttrData;
    return `\x1b[${row};${col + 1}H${sgrFor(cell)}${cell.getChars() || ' '}${sgrFor(current)}`;
  }

  private tabStops(): string {
    const tabs = this.core.buffer.tabs;
    const stops = Object.keys(tabs)
      .map(Number)
      .filter((column) => tabs[column]);
    const isDefault = stops.length > 0 && stops.every((column) => column % 8 === 0) && stops.length >= Math.floor((this.terminal.cols - 1) / 8);
    if (isDefault) return '';
    // Clear all, then set each stop (HTS) at its column; the cursor is repositioned afterwards.
    return `\x1b[3g${stops.map((column) => `\x1b[1;${column + 1}H\x1bH`).join('')}`;
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

  /** The screen as text, like `tmux capture-pane -p` (`-e` when ansi). */
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
    while (lines.length && (lines[lines.length - 1] === '' || lines[lines.length - 1] === '\x1b[0m')) lines.pop();
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
