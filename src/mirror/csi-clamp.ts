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
  /** The CSI being held, from the byte after ESC (`[`) or after 0xC2 (0x9B). */
  private held: number[] = [];

  constructor(private readonly size: () => { cols: number; rows: number }) {}

  /** The bytes to parse: `data` itself unless a CSI was held across chunks or rewritten. */
  filter(data: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    let changed = this.state === State.Csi;
    let emitFrom = 0;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i]!;
      switch (this.state) {
        case State.Ground:
          if (byte === 0x1b) this.state = State.Escape;
          else if (byte === 0xc2) this.state = State.C1;
          break;
        case State.Escape:
        case State.C1:
          if ((this.state === State.Escape && byte === 0x5b) || (this.state === State.C1 && byte === 0x9b)) {
            parts.push(data.subarray(emitFrom, i));
            this.held = [byte];
            this.state = State.Csi;
          } else this.state = byte === 0x1b ? State.Escape : byte === 0xc2 ? State.C1 : State.Ground;
          break;
        case State.Csi: {
          this.held.push(byte);
          const ends = isFinal(byte) || byte === 0x1b || isAbort(byte) || this.held.length > MAX_HELD;
          if (!ends) break;
          const rewritten = isFinal(byte) ? this.rewrite() : undefined;
          if (rewritten) changed = true;
          parts.push(rewritten ?? Uint8Array.from(this.held));
          this.held = [];
          emitFrom = i + 1;
          this.state = isFinal(byte) || isAbort(byte) ? State.Ground : byte === 0x1b ? State.Escape : State.LongCsi;
          break;
        }
        case State.LongCsi:
          if (isFinal(byte) || isAbort(byte)) this.state = State.Ground;
          else if (byte === 0x1b) this.state = State.Escape;
          break;
      }
    }
    if (this.state === State.Csi) changed = true;
    else parts.push(data.subarray(emitFrom));
    return changed ? Buffer.concat(parts) : data;
  }

  /** The held CSI with its count capped, or undefined when it is not a lone count over the cap. */
  private rewrite(): Uint8Array | undefined {
    const held = this.held;
    const final = held[held.length - 1]!;
    const { cols, rows } = this.size();
    const limit = ROW_COUNTS.has(final) ? rows : COLUMN_COUNTS.has(final) ? cols : final === REPEAT ? cols * rows : undefined;
    if (limit === undefined || held.length < 3) return undefined;
    let count = 0;
    for (let i = 1; i < held.length - 1; i++) {
      const digit = held[i]! - 0x30;
      if (digit < 0 || digit > 9) return undefined; // a private prefix, several parameters…
      count = Math.min(count * 10 + digit, Number.MAX_SAFE_INTEGER);
    }
    if (count <= limit) return undefined;
    return Buffer.from([held[0]!, ...Buffer.from(String(limit)), final]);
  }
}
