// Worker side of one session: feeds its output to the headless terminal in order, builds the
// text index from the same bytes, and takes a keyframe every so often for replay seeking.
import { DEFAULT_CODEC } from '../store/codec';
import { decodeOutputRecord, encodeKeyframe, encodeLineBlock, type OutputRecord, type TextLine } from '../store/record-format';
import { LineRenderer } from '../recording/line-renderer';
import { fastForwardCut } from './fast-forward';
import type { MirrorReply, SignalKind } from './mirror-protocol';
import { Screen } from './screen';

/** A keyframe after this much output or this much time with output, whichever comes first. */
const KEYFRAME_BYTES = 1024 * 1024;
const KEYFRAME_MS = 5000;
/** A text-index block holds up to this many lines or characters (small enough to stay out of V8's
 * large-object space, which only a full GC frees), or what arrived within this long. */
const BLOCK_LINES = 4000;
const BLOCK_CHARS = 60 * 1024;
const BLOCK_MS = 1000;
/** Unparsed output beyond this is checked for lines that may be skipped (fast-forward.ts). */
const FAST_FORWARD_BYTES = 1024 * 1024;
/**
 * Output handed to xterm.js at once. Each write that finds xterm idle costs a timer (≥ 1 ms) before it
 * is parsed; several batches in flight amortize it. The rest waits here, where it may be skipped.
 */
const IN_PARSER_BYTES = 256 * 1024;

/** Output waiting for the parser; `credit` is how many output bytes it stands for. */
interface Pending {
  data: Uint8Array;
  credit: number;
  /** Of the credit, bytes already acknowledged to the main thread (skipped ones, at once). */
  acknowledged: number;
  time: number;
  /** Batch buffers to hand back to the main thread once this is parsed. */
  buffers: ArrayBuffer[];
  /** A resize, applied once everything before it is parsed (`data` is then empty). */
  resize?: { cols: number; rows: number };
}
export class SessionFeed {
  readonly screen: Screen;
  private readonly renderer: LineRenderer;
  private lines: TextLine[] = [];
  private linesChars = 0;
  private blockTimer: NodeJS.Timeout | undefined;
  /** Output offset of the next byte to arrive. */
  private offset: number;
  private parsedOffset: number;
  private lastKeyframe = { offset: -Infinity, time: -Infinity };
  private latestTime = 0;
  private readonly pending: Pending[] = [];
  private pendingBytes = 0;
  /** Bytes written to xterm.js and not parsed yet. */
  private inParser = 0;
  /** Waiters for the parser to reach an output offset. */
  private readonly waiters: { offset: number; resolve: () => void }[] = [];
  private keepLines: number;
  /** Pending bytes at which to look for a cut again; doubled after a miss so scans stay linear. */
  private fastForwardAt = FAST_FORWARD_BYTES;

  constructor(
    private readonly id: string,
    cols: number,
    rows: number,
    private readonly scrollback: number,
    offset: number,
    private readonly post: (reply: MirrorReply, transfer?: ArrayBuffer[]) => void,
  ) {
    this.offset = this.parsedOffset = offset;
    this.screen = new Screen(cols, rows, scrollback);
    this.keepLines = 2 * rows + scrollback;
    this.screen.terminal.onData((data) => post({ op: 'answer', id, data }));
    this.screen.terminal.onTitleChange((title) => post({ op: 'title', id, title }));
    this.screen.terminal.onBell(() => post({ op: 'bell', id, time: this.latestTime }));
    this.watchSignals();
    this.renderer = new LineRenderer((line) => this.addLine(line));
  }

  /** In-band signals, seen by the parser in stream order (so split sequences are no problem). */
  private watchSignals(): void {
    const parser = this.screen.terminal.parser;
    const signal = (kind: SignalKind, data: string) => this.post({ op: 'signal', id: this.id, time: this.latestTime, kind, data });
    parser.registerOscHandler(7501, (data) => {
      signal('osc7501', data);
      return true;
    });
    parser.registerOscHandler(9, (data) => {
      if (data.startsWith('4;')) signal('progress', data.slice(2));
      else signal('osc9', data);
      return true;
    });
    parser.registerOscHandler(777, (data) => {
      signal('osc777', data);
      return true;
    });
    parser.registerOscHandler(99, (data) => {
      signal('osc99', data);
      return true;
    });
  }

  /** A batch of live output: consecutive PTY reads in a buffer lent by the main thread. */
  write(data: Uint8Array, times: number[], lengths: number[]): void {
    this.feed(data, times, lengths, [data.buffer as ArrayBuffer]);
    this.pump();
  }

  /** Output [from, to) read back from the recording, in encoded records (a mirror that fell behind). */
  writeRecords(from: number, to: number, records: Uint8Array[]): void {
    if (from > this.offset) this.skip(from - this.offset);
    for (const encoded of records) {
      let record: OutputRecord;
      try {
        record = decodeOutputRecord(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength));
      } catch {
        continue; // A damaged record is output the store does not have.
      }
      let start = record.startOffset;
      const times: number[] = [];
      const lengths: number[] = [];
      let first = -1;
      for (const read of record.reads) {
        // Only the part of each read inside [this.offset, to): records may overlap the range's ends.
        const begin = Math.max(start, this.offset);
        const end = Math.min(start + read.length, to);
        if (end > begin) {
          if (first < 0) first = begin;
          times.push(read.time);
          lengths.push(end - begin);
        }
        start += read.length;
      }
      if (first < 0) continue;
      if (first > this.offset) this.skip(first - this.offset);
      const data = record.data.subarray(first - record.startOffset, first - record.startOffset + lengths.reduce((sum, length) => sum + length, 0));
      this.feed(data, times, lengths, []);
    }
    if (to > this.offset) this.skip(to - this.offset);
    this.pump();
  }

  /**
   * Resizes the terminal after the output received so far and before what comes next: xterm.js resizes at
   * once, so the resize waits in line with the output (wrapping and cursor moves depend on the size).
   */
  resize(cols: number, rows: number): void {
    this.pending.push({ data: new Uint8Array(0), credit: 0, acknowledged: 0, time: this.latestTime, buffers: [], resize: { cols, rows } });
    this.pump();
  }

  /** Output the store does not have (a failing disk, retention): the screen goes on without it. */
  private skip(bytes: number): void {
    this.renderer.commit();
    this.offset += bytes;
    this.pending.push({ data: new Uint8Array(0), credit: bytes, acknowledged: 0, time: this.latestTime, buffers: [] });
  }

  private feed(data: Uint8Array, times: number[], lengths: number[], buffers: ArrayBuffer[]): void {
    let at = 0;
    for (let index = 0; index < lengths.length; index++) {
      const length = lengths[index]!;
      this.renderer.write(data.subarray(at, at + length), times[index]!, this.offset + at);
      at += length;
    }
    this.latestTime = times[times.length - 1] ?? this.latestTime;
    this.offset += data.length;
    this.pending.push({ data, credit: data.length, acknowledged: 0, time: this.latestTime, buffers });
    this.pendingBytes += data.length;
  }

  /** Feeds the parser one batch at a time, skipping what cannot matter when it falls behind. */
  private pump(): void {
    if (this.pendingBytes > this.fastForwardAt) this.fastForward();
    this.wake();
    if (this.pendingBytes < FAST_FORWARD_BYTES) this.fastForwardAt = FAST_FORWARD_BYTES;
    while (this.inParser < IN_PARSER_BYTES) {
      const next = this.pending[0];
      if (!next) return;
      if (next.resize) {
        if (this.inParser) return; // the last write's callback pumps again
        this.pending.shift();
        this.screen.resize(next.resize.cols, next.resize.rows);
        this.keepLines = 2 * next.resize.rows + this.scrollback;
        continue;
      }
      this.pending.shift();
      this.pendingBytes -= next.data.length;
      this.inParser += next.data.length;
      const length = next.data.length;
      this.screen.write(next.data, () => {
        this.inParser -= length;
        this.parsedOffset += next.credit;
        // Hand the batch back only after xterm has counted it as parsed: it subtracts `data.length` after this
        // callback, and a transferred buffer's length is 0 — its pending count would only grow until, 50 MB into
        // a sustained flood, xterm throws ("write data discarded") and takes the worker down.
        queueMicrotask(() => this.post({ op: 'parsed', id: this.id, bytes: next.credit - next.acknowledged, buffers: next.buffers }, next.buffers));
        if (this.parsedOffset - this.lastKeyframe.offset >= KEYFRAME_BYTES || next.time - this.lastKeyframe.time >= KEYFRAME_MS) {
          this.keyframe(next.time);
        }
        this.pump();
      });
    }
  }

  /** Drops the leading plain lines that would scroll out of the buffer before anything else shows. */
  private fastForward(): void {
    // Only output before the first pending resize (what follows is laid out at another size), and about a
    // keyframe's worth at a time: keyframes are taken where the parser is, and replay seeks need one every
    // KEYFRAME_BYTES (merging a whole catch-up into one entry left 470 MB of a recording without any).
    const entries: Pending[] = [];
    let credit = 0;
    for (const entry of this.pending) {
      if (entry.resize || (entries.length && credit + entry.credit > KEYFRAME_BYTES)) break;
      entries.push(entry);
      credit += entry.credit;
    }
    if (!entries.length) return;
    const all = new Uint8Array(entries.reduce((sum, entry) => sum + entry.data.length, 0));
    let at = 0;
    for (const entry of entries) {
      all.set(entry.data, at);
      at += entry.data.length;
    }
    const cut = fastForwardCut(all, this.keepLines);
    if (!cut) {
      this.fastForwardAt = 2 * this.pendingBytes;
      return;
    }
    this.fastForwardAt = FAST_FORWARD_BYTES;
    const acknowledged = entries.reduce((sum, entry) => sum + entry.acknowledged, 0);
    const buffers = entries.flatMap((entry) => entry.buffers);
    const time = entries[entries.length - 1]!.time;
    const rest = new Uint8Array(cut.replacement.length + all.length - cut.skip);
    rest.set(cut.replacement);
    rest.set(all.subarray(cut.skip), cut.replacement.length);
    // The main thread may count the skipped bytes as parsed at once (its backlog shrinks, the program
    // resumes) and gets the batch buffers back; here they count once what stays is parsed, so that a
    // repaint never reflects less than was received when it was asked for.
    this.post({ op: 'parsed', id: this.id, bytes: cut.skip, buffers }, buffers);
    this.pending.splice(0, entries.length, { data: rest, credit, acknowledged: acknowledged + cut.skip, time, buffers: [] });
    this.pendingBytes += rest.length - all.length;
  }

  private wake(): void {
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      const waiter = this.waiters[index]!;
      if (this.parsedOffset >= waiter.offset) {
        this.waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  /**
   * Resolves once everything received before the call is parsed (catching up by skipping where it
   * can) — not when the parser is idle, which a program printing flat out would postpone forever.
   */
  settled(): Promise<void> {
    if (!this.inParser && !this.pending.length) return this.screen.settled();
    if (this.pendingBytes > Math.max(this.keepLines * 16, this.fastForwardAt / 2)) this.fastForward();
    const offset = this.offset;
    return new Promise<void>((resolve) => {
      this.waiters.push({ offset, resolve });
      this.wake();
    }).then(() => this.screen.settled());
  }

  /** A serialized screen at the current parse position. */
  private keyframe(time: number): void {
    this.lastKeyframe = { offset: this.parsedOffset, time };
    const terminal = this.screen.terminal;
    const offset = this.parsedOffset;
    // Compressed here, not in libuv's pool: this thread may lag (it is niced), and work it hands off without
    // waiting would pile up in memory while it catches up.
    const encoded = encodeKeyframe({ offset, time, cols: terminal.cols, rows: terminal.rows, screen: this.screen.repaint() }, DEFAULT_CODEC);
    const block = new Uint8Array(encoded); // exclusively owned, so it can be transferred
    this.post({ op: 'keyframe', id: this.id, offset, block }, [block.buffer]);
  }

  private addLine(line: TextLine): void {
    this.lines.push(line);
    this.linesChars += line.text.length;
    if (this.lines.length >= BLOCK_LINES || this.linesChars >= BLOCK_CHARS) this.flushLines();
    else this.blockTimer ??= setTimeout(() => this.flushLines(), BLOCK_MS);
  }

  /** Posts the pending text-index lines (and, when final, the line still being written) as one block. */
  flushLines(final = false): void {
    clearTimeout(this.blockTimer);
    this.blockTimer = undefined;
    if (final) this.renderer.commit();
    if (!this.lines.length) return;
    const lines = this.lines;
    const offset = lines[0]!.offset;
    this.lines = [];
    this.linesChars = 0;
    const block = new Uint8Array(encodeLineBlock(lines, DEFAULT_CODEC)); // exclusively owned, so it can be transferred
    this.post({ op: 'lines', id: this.id, offset, block }, [block.buffer]);
  }

  dispose(): void {
    this.flushLines(true);
    this.screen.dispose();
  }
}
