// Caps the counts of CSI sequences that xterm.js executes one step at a time (insert/delete lines,
// scroll, tab, repeat): `ESC [ 2147483647 S` would otherwise keep the shared mirror worker busy for
// minutes, freezing every session's screen and, through flow control, every program.

/** Final bytes whose count matters only up to the screen's rows, its columns, or its cells. */
const ROW_COUNTS = new Set([0x4c, 0x4d, 0x53, 0x54]); // IL DL SU SD
const COLUMN_COUNTS = new Set([0x49, 0x5a]); // CHT CBT
const REPEAT = 0x62; // REP
/** A CSI longer than this is passed on as it is (none of the ones we cap is that long). */
const MAX_HELD = 32;

const enum State {
  Ground,
  Escape,
  /** Saw 0xC2: a following 0x9B makes U+009B, the 8-bit CSI. */
  C1,
  /** Inside a CSI, held back until its final byte. */
  Csi,
  /** Inside a CSI too long to hold, passed through. */
  LongCsi,
}

const isFinal = (byte: number) => byte >= 0x40 && byte <= 0x7e;
const isAbort = (byte: number) => byte === 0x18 || byte === 0x1a;

export class CsiClamp {
  private state = State.Ground;
  /** Bytes of a CSI cut by the end of the previous chunk, from `[` (or 0x9B) on. */
  private held: Uint8Array | undefined;

  constructor(private readonly size: () => { cols: number; rows: number }) {}

  /** The bytes to parse: `data` itself unless a CSI was held across chunks or rewritten. */
  filter(data: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    let emitFrom = 0;
    /** Where the current CSI starts in `data` (its `[`), or -1 when it started in an earlier chunk. */
    let csiStart = -1;
    const carried = this.held;
    this.held = undefined;
    // Where the next 0xC2 is: looked up again only once passed (searching from every ESC would be quadratic).
    let nextC1 = -2;
    let i = 0;
    while (i < data.length) {
      const byte = data[i]!;
      switch (this.state) {
        case State.Ground: {
          // Most output is text: jump straight to the next byte that can begin a CSI.
          const escape = data.indexOf(0x1b, i);
          if (nextC1 !== -1 && nextC1 < i) nextC1 = data.indexOf(0xc2, i);
          const c1 = nextC1;
          const next = escape === -1 ? c1 : c1 === -1 ? escape : Math.min(escape, c1);
          if (next === -1) {
            i = data.length;
            continue;
          }
          this.state = data[next] === 0x1b ? State.Escape : State.C1;
          i = next + 1;
          continue;
        }
        case State.Escape:
        case State.C1:
          if ((this.state === State.Escape && byte === 0x5b) || (this.state === State.C1 && byte === 0x9b)) {
            csiStart = i;
            this.state = State.Csi;
          } else this.state = byte === 0x1b ? State.Escape : byte === 0xc2 ? State.C1 : State.Ground;
          break;
        case State.Csi: {
          const length = (csiStart === -1 ? (carried?.length ?? 0) + i : i - csiStart) + 1;
          const ends = isFinal(byte) || byte === 0x1b || isAbort(byte) || length > MAX_HELD;
          if (!ends) break;
          if (isFinal(byte)) {
            const sequence = csiStart === -1 ? concat(carried, data.subarray(0, i + 1)) : data.subarray(csiStart, i + 1);
            const rewritten = this.rewrite(sequence);
            if (rewritten) {
              if (csiStart > emitFrom) parts.push(data.subarray(emitFrom, csiStart));
              parts.push(rewritten);
              emitFrom = i + 1;
            } else if (csiStart === -1) {
              // A held CSI that needs no change goes out as it came.
              parts.push(sequence);
              emitFrom = i + 1;
            }
          } else if (csiStart === -1 && carried) {
            parts.push(carried);
          }
          csiStart = -1;
          this.state = isFinal(byte) || isAbort(byte) ? State.Ground : byte === 0x1b ? State.Escape : State.LongCsi;
          break;
        }
        case State.LongCsi:
          if (isFinal(byte) || isAbort(byte)) this.state = State.Ground;
          else if (byte === 0x1b) this.state = State.Escape;
          break;
      }
      i++;
    }
    if (this.state === State.Csi) {
      // Hold the unfinished CSI until its final byte: its count may need capping.
      this.held = csiStart === -1 ? concat(carried, data) : data.slice(csiStart);
      const end = csiStart === -1 ? 0 : csiStart;
      if (end > emitFrom) parts.push(data.subarray(emitFrom, end));
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    }
    if (!parts.length) return data;
    if (emitFrom < data.length) parts.push(data.subarray(emitFrom));
    return Buffer.concat(parts);
  }

  /** The CSI (from `[` to its final byte) with its count capped, or undefined when it needs none. */
  private rewrite(sequence: Uint8Array): Uint8Array | undefined {
    const final = sequence[sequence.length - 1]!;
    const { cols, rows } = this.size();
    const limit = ROW_COUNTS.has(final) ? rows : COLUMN_COUNTS.has(final) ? cols : final === REPEAT ? cols * rows : undefined;
    if (limit === undefined || sequence.length < 3) return undefined;
    let count = 0;
    for (let i = 1; i < sequence.length - 1; i++) {
      const digit = sequence[i]! - 0x30;
      if (digit < 0 || digit > 9) return undefined; // a private prefix, several parameters…
      count = Math.min(count * 10 + digit, Number.MAX_SAFE_INTEGER);
    }
    if (count <= limit) return undefined;
    return Buffer.from([sequence[0]!, ...Buffer.from(String(limit)), final]);
  }
}

function concat(first: Uint8Array | undefined, second: Uint8Array): Uint8Array {
  return first ? Buffer.concat([first, second]) : second;
}
