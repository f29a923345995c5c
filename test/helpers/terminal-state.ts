// Everything observable about a headless xterm (cells, cursor, modes and the internals a repaint must restore), as plain data to compare.
import type { IBufferCell, Terminal } from '@xterm/headless';
import type { Attributes } from '../../src/mirror/draw';
import type { XtermBuffer, XtermCore } from '../../src/mirror/screen';

/** What the tests read besides what the repaint reads (screen.ts's XtermCore). */
type InternalBuffer = XtermBuffer & { x: number; y: number };
type Internals = Omit<XtermCore, 'buffer' | 'buffers' | 'coreMouseService' | '_charsetService'> & {
  buffer: InternalBuffer;
  buffers: { normal: InternalBuffer; alt: InternalBuffer };
  coreMouseService: { activeEncoding: string; activeProtocol: string };
  _charsetService: XtermCore['_charsetService'] & { charset: object | undefined };
};

export function internals(terminal: Terminal): Internals {
  return (terminal as unknown as { _core: Internals })._core;
}

/** Resolves once the terminal has parsed everything written so far. */
export function written(terminal: Terminal, data: string | Uint8Array = ''): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

/**
 * Colours (mode:value) and attribute flags. Read through accessors, not the raw words: xterm.js
 * leaves stale bits of an earlier RGB colour in them after a palette colour replaces it.
 */
function attributesKey(cell: Attributes): string {
  const flags = [
    cell.isBold() && 'b',
    cell.isDim() && 'd',
    cell.isItalic() && 'i',
    cell.isUnderline() && 'u',
    cell.isBlink() && 'k',
    cell.isInverse() && 'r',
    cell.isInvisible() && 'h',
    cell.isStrikethrough() && 's',
    cell.isOverline() && 'o',
  ]
    .filter(Boolean)
    .join('');
  return `fg${cell.getFgColorMode()}:${cell.getFgColor()} bg${cell.getBgColorMode()}:${cell.getBgColor()} ${flags}`;
}

/** One cell as a compact string: chars, width, then its attributes. */
function cellKey(cell: IBufferCell): string {
  return `${JSON.stringify(cell.getChars())}/${cell.getWidth()} ${attributesKey(cell)}`;
}

/** Rows of the active buffer: the visible ones, plus `scrollback` lines above them. */
export function rows(terminal: Terminal, scrollback = 0): string[][] {
  const buffer = terminal.buffer.active;
  const out: string[][] = [];
  for (let y = buffer.baseY - scrollback; y < buffer.baseY + terminal.rows; y++) {
    const line = buffer.getLine(y);
    if (!line) {
      out.push(['<missing line>']);
      continue;
    }
    // The very first line of a buffer can be left marked as a continuation by scrolling (SU) with
    // nothing before it; no output recreates that, and it changes nothing visible, so it is left out.
    const cells = [line.isWrapped && y > 0 ? 'wrapped' : 'unwrapped'];
    for (let x = 0; x < terminal.cols; x++) {
      const cell = line.getCell(x)!;
      // A resize that narrows the terminal can leave a wide character in the last column, which no
      // output can put there (it would wrap): it counts as the blank a repaint leaves.
      cells.push(x === terminal.cols - 1 && cell.getWidth() === 2 ? '""/1 fg0:-1 bg0:-1 ' : cellKey(cell));
    }
    out.push(cells);
  }
  return out;
}

function savedCursor(buffer: InternalBuffer, terminal: Terminal) {
  return {
    // What DECRC restores: it keeps the cursor on the screen (a column saved while waiting to wrap,
    // or a row past a smaller size), and xterm.js saves the row counting the scrollback.
    x: Math.min(buffer.savedX, terminal.cols - 1),
    y: Math.min(Math.max(buffer.savedY - buffer.ybase, 0), terminal.rows - 1),
    attributes: attributesKey(buffer.savedCurAttrData),
    charset: buffer.savedCharset ?? null,
  };
}

/** Stops past the last column (left over from a wider size) can never be reached, so they are left out. */
function tabStops(buffer: InternalBuffer, cols: number): number[] {
  return Object.keys(buffer.tabs)
    .map(Number)
    .filter((column) => buffer.tabs[column] && column < cols)
    .sort((a, b) => a - b);
}

/** Terminal state besides the cells: cursor, modes, and the internals a repaint has to restore. */
export function state(terminal: Terminal) {
  const core = internals(terminal);
  const buffer = core.buffer;
  const onAlt = terminal.buffer.active.type === 'alternate';
  return {
    cursor: { x: buffer.x, y: buffer.y },
    bufferType: terminal.buffer.active.type,
    modes: terminal.modes,
    scrollRegion: { top: buffer.scrollTop, bottom: buffer.scrollBottom },
    cursorHidden: core.coreService.isCursorHidden,
    cursorStyle: core.coreService.decPrivateModes.cursorStyle ?? null,
    cursorBlink: core.coreService.decPrivateModes.cursorBlink ?? null,
    cursorBlinkOption: core.optionsService.rawOptions.cursorBlink,
    convertEol: core.optionsService.rawOptions.convertEol,
    mouse: { protocol: core.coreMouseService.activeProtocol, encoding: core.coreMouseService.activeEncoding },
    charsets: {
      glevel: core._charsetService.glevel,
      active: core._charsetService.charset ?? null,
      g: [0, 1, 2, 3].map((g) => core._charsetService._charsets[g] ?? null),
    },
    tabs: tabStops(buffer, terminal.cols),
    attributes: attributesKey(core._inputHandler._curAttrData),
    savedCursor: savedCursor(buffer, terminal),
    // The normal buffer's saved cursor is what leaving the alternate screen (1049) restores.
    normalSavedCursor: onAlt ? savedCursor(core.buffers.normal, terminal) : null,
  };
}
