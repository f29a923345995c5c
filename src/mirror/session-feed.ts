// Worker side of one session: feeds its output to the headless terminal in order, builds the
// text index from the same bytes, and takes a keyframe every so often for replay seeking.
import { DEFAULT_CODEC } from '../store/codec';
import { encodeKeyframe, encodeLineBlock, type TextLine } from '../store/record-format';
import { LineRenderer } from '../recording/line-renderer';
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

  constructor(
    private readonly id: string,
    cols: number,
    rows: number,
    scrollback: number,
    offset: number,
    private readonly post: (reply: MirrorReply, transfer?: ArrayBuffer[]) => void,
  ) {
    this.offset = this.parsedOffset = offset;
    this.screen = new Screen(cols, rows, scrollback);
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

  write(data: Uint8Array, times: number[], lengths: number[]): void {
    let at = 0;
    for (let index = 0; index < lengths.length; index++) {
      const length = lengths[index]!;
      this.renderer.write(data.subarray(at, at + length), times[index]!, this.offset + at);
      at += length;
    }
    this.latestTime = times[times.length - 1] ?? this.latestTime;
    const batchEnd = (this.offset += data.length);
    const time = this.latestTime;
    const bytes = data.length;
    this.screen.write(data, () => {
      this.parsedOffset = batchEnd;
      if (batchEnd - this.lastKeyframe.offset >= KEYFRAME_BYTES || time - this.lastKeyframe.time >= KEYFRAME_MS) {
        this.keyframe(time);
      }
      // Hand the batch back only after xterm has counted it as parsed: it subtracts `data.length` after this
      // callback, and a transferred buffer's length is 0 — its pending count would only grow until, 50 MB into
      // a sustained flood, xterm throws ("write data discarded") and takes the worker down.
      const buffer = data.buffer as ArrayBuffer;
      queueMicrotask(() => this.post({ op: 'parsed', id: this.id, bytes, buffer }, [buffer]));
    });
  }

  /** A serialized screen at the current parse position. */
  private keyframe(time: number): void {
    this.lastKeyframe = { offset: this.parsedOffset, time };
    const terminal = this.screen.terminal;
    const encoded = encodeKeyframe({ offset: this.parsedOffset, time, cols: terminal.cols, rows: terminal.rows, screen: this.screen.repaint() }, DEFAULT_CODEC);
    const block = new Uint8Array(encoded); // exclusively owned, so it can be transferred
    this.post({ op: 'keyframe', id: this.id, offset: this.parsedOffset, block }, [block.buffer]);
  }

  private addLine(line: TextLine): void {
    this.lines.push(line);
    this.linesChars += line.text.length;
    if (this.lines.length >= BLOCK_LINES || this.linesChars >= BLOCK_CHARS) this.flushLines();
    else this.blockTimer ??= setTimeout(() => this.flushLines(), BLOCK_MS);
  }

  /** Posts the pending text-index lines (and the line still being written) as one block. */
  flushLines(final = false): void {
    clearTimeout(this.blockTimer);
    this.blockTimer = undefined;
    if (final) this.renderer.commit();
    if (!this.lines.length) return;
    const block = encodeLineBlock(this.lines, DEFAULT_CODEC);
    const offset = this.lines[0]!.offset;
    this.lines = [];
    this.linesChars = 0;
    // Copy into an exclusively owned buffer so that it can be transferred rather than cloned.
    const owned = new Uint8Array(block);
    this.post({ op: 'lines', id: this.id, offset, block: owned }, [owned.buffer]);
  }

  dispose(): void {
    this.flushLines(true);
    this.screen.dispose();
  }
}
