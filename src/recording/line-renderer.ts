// Turns a session's raw output into the text lines search looks at: escape sequences stripped,
// carriage-return overwrites applied, and redraws of the same screen line collapsed into one.
//
// A byte state machine, not a terminal: flowing output (logs, shells) comes out exact line by line;
// full-screen programs come out as the fragments they draw at cursor positions. A fragment drawn
// again at the same row with the same text (ignoring digits and spinner glyphs — a timer or a
// spinner ticking) is a redraw and is not indexed again, so a spinner redrawing one line ten
// thousand times gives one line.

export interface RenderedLine {
  /** Milliseconds since the session started, when the line's first byte arrived. */
  time: number;
  /** Offset of the line's first byte in the session's output. */
  offset: number;
  text: string;
}

const enum State {
  Text,
  Escape,
  Csi,
  /** OSC/DCS/APC/PM/SOS string, until BEL or ST. */
  String,
  StringEscape,
  /** ESC followed by an intermediate (charset designation): one more byte. */
  EscapeIntermediate,
}

/** Longest line, in bytes, before it is committed anyway (a program that never prints a newline). */
const MAX_LINE_BYTES = 16 * 1024;
/** Recently seen positioned fragments, for redraws that move between rows. */
const RECENT_FRAGMENTS = 512;
const decoder = new TextDecoder('utf-8');

/** What makes two drawings of a line "the same": digits, spinner glyphs and spacing do not count. */
export function redrawKey(text: string): string {
  return text
    .replace(/[0-9\u2800-\u28ff◐◓◑◒✳✶✻✽✢⏺●○◉·•*|/\\-]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export class LineRenderer {
  private state = State.Text;
  /** The CSI being parsed, as numbers (building strings per byte was the renderer's main cost). */
  private csiPrivate = false;
  private csiFirst = -1;
  private csiValue = -1;
  private csiParams = 0;
  private csiAltScreen = false;
  /** Bytes of the line being written since the last carriage return. */
  private segment: Uint8Array[] = [];
  private segmentLength = 0;
  /** Segments before this index are copies we own; later ones still view the caller's buffer. */
  private ownedSegments = 0;
  /** The line as drawn so far, and the cursor's column in it; `segment` is text written at `column`. */
  private line = '';
  private column = 0;
  private lineTime = -1;
  private lineOffset = 0;
  /** The row of the last absolute cursor positioning, while the line is a positioned fragment. */
  private row: number | undefined;
  private epoch = 0;
  private readonly lastAtRow = new Map<string, string>();
  private readonly recent = new Set<string>();

  constructor(private readonly emit: (line: RenderedLine) => void) {}

  /** Feeds one PTY read that arrived at `time` and starts at `offset` in the output. */
  write(data: Uint8Array, time: number, offset: number): void {
    const length = data.length;
    for (let index = 0; index < length; index++) {
      const byte = data[index]!;
      switch (this.state) {
        case State.Text: {
          if (byte < 0x20 || byte === 0x7f) {
            this.control(byte, time, offset + index);
            continue;
          }
          // A run of printable bytes (UTF-8 included) in one tight loop, appended as one piece.
          // Capped so that a line that never ends is cut at MAX_LINE_BYTES.
          const stop = Math.min(length, index + MAX_LINE_BYTES - this.segmentLength);
          let end = index + 1;
          while (end < stop) {
            const next = data[end]!;
            if (next < 0x20 || next === 0x7f) break;
            end++;
          }
          if (this.lineTime < 0) {
            this.lineTime = time;
            this.lineOffset = offset + index;
          }
          this.append(data.subarray(index, end));
          index = end - 1;
          continue;
        }
        case State.Escape:
          this.escape(byte);
          continue;
        case State.EscapeIntermediate:
          this.state = State.Text;
          continue;
        case State.Csi:
          if (byte >= 0x30 && byte <= 0x39) {
            this.csiValue = (this.csiValue < 0 ? 0 : this.csiValue * 10) + byte - 0x30;
          } else if (byte === 0x3b || byte === 0x3a) {
            this.endParam();
          } else if (byte === 0x3f) {
            this.csiPrivate = true;
          } else if (byte >= 0x40 && byte <= 0x7e) {
            this.endParam();
            this.state = State.Text;
            this.csiFinal(byte);
          }
          continue;
        case State.String:
          if (byte === 0x07) this.state = State.Text;
          else if (byte === 0x1b) this.state = State.StringEscape;
          continue;
        case State.StringEscape:
          this.state = byte === 0x5c ? State.Text : State.String;
          continue;
      }
    }
    // The caller reuses `data` once we return: copy what the unfinished line still points into.
    for (let index = this.ownedSegments; index < this.segment.length; index++) this.segment[index] = this.segment[index]!.slice();
    this.ownedSegments = this.segment.length;
  }

  private append(bytes: Uint8Array): void {
    this.segment.push(bytes);
    this.segmentLength += bytes.length;
    if (this.segmentLength >= MAX_LINE_BYTES) this.commit();
  }

  private control(byte: number, time: number, offset: number): void {
    switch (byte) {
      case 0x0a: // LF
        this.commit();
        this.row = undefined;
        return;
      case 0x0d: // CR: what follows overwrites from column 0
        this.carriageReturn();
        return;
      case 0x08: // BS
        this.backspace();
        return;
      case 0x09: // TAB
        if (this.lineTime < 0) {
          this.lineTime = time;
          this.lineOffset = offset;
        }
        this.append(SPACE);
        return;
      case 0x1b:
        this.state = State.Escape;
        return;
      default:
        return; // BEL and other controls draw nothing.
    }
  }

  private escape(byte: number): void {
    switch (byte) {
      case 0x5b: // [
        this.state = State.Csi;
        this.csiPrivate = this.csiAltScreen = false;
        this.csiFirst = this.csiValue = -1;
        this.csiParams = 0;
        return;
      case 0x5d: // ] OSC
      case 0x50: // P DCS
      case 0x5f: // _ APC
      case 0x5e: // ^ PM
      case 0x58: // X SOS
        this.state = State.String;
        return;
      case 0x63: // c: full reset
        this.newScreen();
        this.state = State.Text;
        return;
      default:
        this.state = byte >= 0x20 && byte <= 0x2f ? State.EscapeIntermediate : State.Text;
    }
  }

  private endParam(): void {
    if (this.csiParams === 0) this.csiFirst = this.csiValue;
    if (this.csiValue === 47 || this.csiValue === 1047 || this.csiValue === 1049) this.csiAltScreen = true;
    this.csiParams++;
    this.csiValue = -1;
  }

  private csiFinal(final: number): void {
    switch (final) {
      case 0x48: // H
      case 0x66: // f
      case 0x64: // d: absolute row
        this.commit();
        this.row = this.csiFirst > 0 ? this.csiFirst : 1;
        return;
      case 0x41: // A
      case 0x42: // B
      case 0x45: // E
      case 0x46: // F: relative rows
        this.commit();
        this.row = undefined;
        return;
      case 0x4a: // J: erase display
        this.commit();
        if (this.csiParams === 1 && (this.csiFirst === 2 || this.csiFirst === 3)) this.newScreen();
        return;
      case 0x4b: // K: erase in line
        this.eraseToEnd();
        return;
      case 0x68: // h
      case 0x6c: // l
        if (this.csiPrivate && this.csiParams === 1 && this.csiAltScreen) {
          this.commit();
          this.newScreen();
        }
        return;
      default:
        return; // SGR and the rest draw no text.
    }
  }

  /** Writes the pending text into the line at the cursor, overwriting what is there (decoded only now). */
  private materialize(): void {
    if (!this.segment.length) return;
    const text = decoder.decode(this.segment.length === 1 ? this.segment[0] : Buffer.concat(this.segment));
    this.segment = [];
    this.segmentLength = 0;
    this.ownedSegments = 0;
    this.line = this.column === 0 && text.length >= this.line.length ? text : this.line.slice(0, this.column).padEnd(this.column) + text + this.line.slice(this.column + text.length);
    this.column += text.length;
  }

  private carriageReturn(): void {
    this.materialize();
    this.column = 0;
  }

  private backspace(): void {
    this.materialize();
    this.column = Math.max(0, this.column - 1);
  }

  private eraseToEnd(): void {
    this.materialize();
    this.line = this.line.slice(0, this.column);
  }

  private newScreen(): void {
    this.epoch++;
    this.row = undefined;
    this.lastAtRow.clear();
  }

  /** Ends the current line and emits it, unless it is empty or a redraw. */
  commit(): void {
    this.materialize();
    const text = this.line.trimEnd();
    const time = this.lineTime;
    const offset = this.lineOffset;
    this.line = '';
    this.column = 0;
    this.lineTime = -1;
    if (!text.trim()) return;
    if (this.row !== undefined) {
      const key = redrawKey(text);
      const slot = `${this.epoch}:${this.row}`;
      if (this.lastAtRow.get(slot) === key || this.recent.has(key)) {
        this.lastAtRow.set(slot, key);
        return;
      }
      this.lastAtRow.set(slot, key);
      this.recent.add(key);
      if (this.recent.size > RECENT_FRAGMENTS) this.recent.delete(this.recent.values().next().value!);
      this.row++; // A fragment that wraps on would continue on the next row.
    }
    this.emit({ time, offset, text });
  }
}

const SPACE = new Uint8Array([0x20]);
