// Cells to bytes: the SGR for a cell's attributes, and buffer rows drawn back exactly as xterm.js holds them.
//
// This replaces @xterm/addon-serialize for repaints: it dropped rows that were only coloured
// background, broke soft-wrapped rows whose continuation starts blank (it moves with `ESC[0C`,
// which moves one column, and trusts a wrap that never happens), and lost the attributes of blank
// cells other than their background. Pinned by the tests in test/unit/screen.test.ts.
import type { IBuffer, IBufferCell, IBufferLine } from '@xterm/headless';

/** Colour/attribute accessors shared by buffer cells and xterm's attribute objects. */
export type Attributes = Pick<
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
  | 'getFgColorMode'
  | 'getBgColorMode'
  | 'getFgColor'
  | 'getBgColor'
>;

/** xterm's colour modes (getFgColorMode): palette 0–15 set by 30–37/90–97, palette 0–255 by 38;5, RGB by 38;2. */
const PALETTE_16 = 0x1000000;
const PALETTE_256 = 0x2000000;
const RGB = 0x3000000;

function colorSgr(base: number, mode: number, color: number): string {
  if (mode === RGB) return `;${base + 8};2;${(color >> 16) & 255};${(color >> 8) & 255};${color & 255}`;
  if (mode === PALETTE_256) return `;${base + 8};5;${color}`;
  if (mode === PALETTE_16) return `;${color < 8 ? base + color : base + 60 + color - 8}`;
  return '';
}

/** One SGR sequence that sets exactly these attributes from any state. */
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
  sgr += colorSgr(30, cell.getFgColorMode(), cell.getFgColor());
  sgr += colorSgr(40, cell.getBgColorMode(), cell.getBgColor());
  return `${sgr}m`;
}

const DEFAULT_SGR = '\x1b[0m';
/** Printed and overwritten to give a blank cell attributes that erasing cannot (erasing copies only the background). */
const WIDE = '世';

/** xterm.js cells carry their raw attribute words; equal words mean equal attributes. */
export function sameAttributes(a: IBufferCell, b: IBufferCell): boolean {
  const first = a as unknown as { fg: number; bg: number };
  const second = b as unknown as { fg: number; bg: number };
  return first.fg === second.fg && first.bg === second.bg;
}

export const isBlank = (cell: IBufferCell) => cell.getChars() === '' && cell.getWidth() === 1;

/** The SGR of just a cell's background: what erasing gives blank cells. */
export function backgroundSgr(cell: Attributes): string {
  return `\x1b[0${colorSgr(40, cell.getBgColorMode(), cell.getBgColor())}m`;
}

/** A blank cell with more than a background, which erasing cannot make. */
function needsTrick(cell: IBufferCell): boolean {
  return isBlank(cell) && sgrFor(cell) !== backgroundSgr(cell);
}

/**
 * Bytes that draw rows [from, to) of a buffer on a cleared screen, starting at its top-left corner
 * in default SGR, G0 ASCII, autowrap on and insert mode off; rows past the screen height scroll
 * into the scrollback as the originals did. Only the first row's own soft-wrap flag is not
 * recreated: the row it continues is not drawn.
 */
export function drawRows(buffer: IBuffer, from: number, to: number, cols: number): string {
  return new RowPainter(buffer, cols).draw(from, to);
}

/**
 * The end of rows [from, to) once the trailing rows with nothing to draw are left out (blank in the
 * default SGR and not a continuation). A terminal of another size, such as a read-only client's,
 * then keeps the content at the top rather than scrolling it away under blank rows.
 */
export function contentEnd(buffer: IBuffer, from: number, to: number, cols: number): number {
  const cell = buffer.getNullCell();
  for (let y = to - 1; y >= from; y--) {
    const line = buffer.getLine(y);
    if (!line) continue;
    if (line.isWrapped) return y + 1;
    for (let x = 0; x < cols; x++) {
      line.getCell(x, cell);
      // One more row lets a last cell that needs the trick be made by wrapping into it.
      if (cell.getChars() || sgrFor(cell) !== DEFAULT_SGR) return Math.min(to, y + (needsTrick(line.getCell(cols - 1, cell)!) ? 2 : 1));
    }
  }
  return from;
}

class RowPainter {
  private out = '';
  private sgr = DEFAULT_SGR;
  /** The cursor's column on the current row (cols when waiting to wrap). */
  private x = 0;
  /** The row is a soft-wrapped continuation that the next print starts. */
  private wrapPending = false;
  private readonly cell: IBufferCell;
  private readonly other: IBufferCell;

  constructor(
    private readonly buffer: IBuffer,
    private readonly cols: number,
  ) {
    this.cell = buffer.getNullCell();
    this.other = buffer.getNullCell();
  }

  draw(from: number, to: number): string {
    for (let y = from; y < to; y++) {
      const line = this.buffer.getLine(y);
      if (line) this.cells(line);
      if (y + 1 === to) break;
      if (line && this.buffer.getLine(y + 1)?.isWrapped) this.wrapOnto(line);
      else if (line && this.x < this.cols && needsTrick(line.getCell(this.cols - 1, this.cell)!)) this.wrapThroughLastColumn(line, false);
      else this.newline();
    }
    return this.out + (this.sgr === DEFAULT_SGR ? '' : DEFAULT_SGR);
  }

  private cells(line: IBufferLine): void {
    const cell = this.cell;
    if (this.wrapPending && !line.getCell(0, cell)!.getChars()) this.startWrapWithBlank();
    for (let x = 0; x < this.cols; ) {
      line.getCell(x, cell);
      if (cell.getWidth() === 0 || x + cell.getWidth() > this.cols) {
        // The second half of a wide character, drawn with the first; or a wide character left in the
        // last column by a resize, which no terminal can print there (it would wrap).
        x++;
      } else if (cell.getChars()) {
        this.moveTo(x);
        this.setSgr(cell);
        this.print(cell.getChars(), cell.getWidth());
        x += cell.getWidth();
      } else {
        let end = x + 1;
        while (end < this.cols && isBlank(line.getCell(end, this.other)!) && sameAttributes(this.other, cell)) end++;
        this.blanks(x, end, cell);
        x = end;
      }
    }
  }

  /** Blank cells [from, to) with the attributes of `cell`; the screen is blank in default SGR to begin with. */
  private blanks(from: number, to: number, cell: IBufferCell): void {
    const sgr = sgrFor(cell);
    if (sgr === DEFAULT_SGR) return;
    let eraseFrom = from;
    if (needsTrick(cell)) {
      // The last column has no room for the trick: wrapThroughLastColumn does it, when a row follows.
      for (; eraseFrom < Math.min(to, this.cols - 1); eraseFrom++) this.attributedBlank(eraseFrom, cell);
    }
    if (eraseFrom < to) {
      this.moveTo(eraseFrom);
      this.setSgr(cell);
      this.out += `\x1b[${to - eraseFrom}X`;
    }
  }

  /**
   * A blank cell with more than a background at x (not the last column): print a wide character
   * there and overwrite its second half, which leaves x blank in the SGR of that overwrite.
   */
  private attributedBlank(x: number, cell: IBufferCell): void {
    this.moveTo(x);
    this.setSgr(cell);
    this.print(WIDE, 2);
    this.moveTo(x + 1);
    this.print(' ', 1);
    this.moveTo(x + 1);
    this.setSgr(undefined);
    this.out += '\x1b[X';
  }

  /** The next row continues this one: leave the cursor where printing its first cell wraps. */
  private wrapOnto(line: IBufferLine): void {
    if (this.x < this.cols) this.wrapThroughLastColumn(line, true);
    else this.wrapPending = true;
  }

  /**
   * Moves to the next row by printing a wide character at the last column, which does not fit:
   * the terminal blanks that cell in the current SGR and wraps, exactly as when the original did
   * the same. Then the wide character is erased, and the wrap too unless the next row continues.
   */
  private wrapThroughLastColumn(line: IBufferLine, keepWrap: boolean): void {
    const last = line.getCell(this.cols - 1, this.cell)!;
    this.moveTo(this.cols - 1);
    // A wide character left there by a resize is not drawn (see cells()): its cell stays a plain blank.
    this.setSgr(last.getWidth() === 2 ? undefined : last);
    this.out += WIDE;
    this.setSgr(undefined);
    // At the bottom the wrap scrolls in a row of the current background: erase it in the default one.
    this.out += keepWrap ? '\x1b[K\x1b[1G\x1b[2X' : '\x1b[2K\x1b[1G';
    this.x = 0;
  }

  /** A continuation whose first cell is blank: wrap with a placeholder, then blank it again. */
  private startWrapWithBlank(): void {
    this.setSgr(undefined);
    this.print(' ', 1);
    this.moveTo(0);
    this.out += '\x1b[X';
  }

  private newline(): void {
    // At the bottom a new row scrolls in with the current background: make it the default one.
    this.setSgr(undefined);
    this.out += '\r\n';
    this.x = 0;
    this.wrapPending = false;
  }

  private print(chars: string, width: number): void {
    this.out += chars;
    if (!this.wrapPending) {
      this.x += width;
      return;
    }
    this.wrapPending = false;
    this.x = width;
    if (this.sgr !== DEFAULT_SGR) {
      // The wrap may have scrolled in a row of the current background; erase the rest in the default one.
      this.setSgr(undefined);
      this.out += '\x1b[K';
    }
  }

  private moveTo(x: number): void {
    if (this.wrapPending && x === 0) return;
    if (this.x === x) return;
    this.out += `\x1b[${x + 1}G`;
    this.x = x;
  }

  /** Sets the SGR of `cell`, or the default one. */
  private setSgr(cell: IBufferCell | undefined): void {
    const sgr = cell ? sgrFor(cell) : DEFAULT_SGR;
    if (sgr !== this.sgr) this.out += sgr;
    this.sgr = sgr;
  }
}
