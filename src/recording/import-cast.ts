// `ccmux import`: turns an asciicast v2/v3 file into an ended session in the store — output records,
// timeline events and a text index — so it replays, exports and searches like a recorded one. Used by
// the daemon (`import` request) and by the CLI when no daemon runs.
import * as path from 'node:path';
import { DEFAULT_CODEC } from '../store/codec';
import { encodeLineBlock, encodeOutputRecord, type Read, type TextLine } from '../store/record-format';
import type { Store, StoredSession } from '../store/store';
import { nameFrom } from '../session-ref';
import { openCast, parseResize, type CastEvent, type CastHeader } from './cast-reader';
import { LineRenderer } from './line-renderer';
import { RECORD_BYTES } from './recorder';
import { roundMicros } from './timeline';

/** Text-index blocks stay small, like the live ones (see session-feed.ts). */
const BLOCK_LINES = 4000;
const BLOCK_CHARS = 60 * 1024;
/** Store writes allowed in flight before the import waits for LMDB (bounds memory on big files). */
const MAX_PENDING = 32;

export interface ImportSpec {
  /** Absolute path of the cast file. */
  file: string;
  /** Directory a respawn of the imported session would run in. */
  cwd: string;
  /** Picks the id and a unique name; `base` is derived from the file name. */
  identity(base: string): { id: string; name: string };
}

/** Writes the session and resolves with its metadata once everything is committed. */
export async function importCast(store: Store, spec: ImportSpec): Promise<StoredSession> {
  const { header, events } = await openCast(spec.file);
  const base = nameFrom(path.basename(spec.file).replace(/\.cast$/i, ''), 'imported');
  const { id, name } = spec.identity(base);
  // asciinema runs a given command with `sh -c`; without one it recorded the user's shell.
  const command = header.command !== undefined ? ['sh', '-c', header.command] : [];
  const writer = new ImportWriter(store, id);
  try {
    const summary = await writer.write(header, command, events);
    const createdAt = header.timestamp !== undefined ? Math.round(header.timestamp * 1000) : Date.now() - summary.endTime;
    const meta: StoredSession = {
      id,
      name,
      command,
      cwd: spec.cwd,
      createdAt,
      cols: summary.cols,
      rows: summary.rows,
      state: 'exited',
      exit: summary.exitCode === undefined ? null : { code: summary.exitCode, signal: null },
      exitedAt: createdAt + summary.endTime,
      pid: null,
      lastOutputAt: summary.lastOutputTime === undefined ? null : createdAt + summary.lastOutputTime,
      outputBytes: summary.outputBytes,
      storedBytes: summary.storedBytes,
      trimmedBytes: 0,
      title: header.title ?? '',
      imported: true,
    };
    await store.putSession(meta);
    return meta;
  } catch (error) {
    await writer.settle().catch(() => undefined);
    await store.deleteSession(id).catch(() => undefined);
    throw error;
  }
}

interface ImportSummary {
  cols: number;
  rows: number;
  endTime: number;
  lastOutputTime: number | undefined;
  exitCode: number | undefined;
  outputBytes: number;
  storedBytes: number;
}

class ImportWriter {
  private pending: Promise<unknown>[] = [];
  private staged: Buffer[] = [];
  private stagedBytes = 0;
  private reads: Read[] = [];
  private offset = 0;
  private storedBytes = 0;
  private eventSeq = 0;
  private lines: TextLine[] = [];
  private lineChars = 0;
  private readonly renderer = new LineRenderer((line) => this.addLine(line));

  constructor(
    private readonly store: Store,
    private readonly id: string,
  ) {}

  async write(header: CastHeader, command: string[], events: AsyncIterable<CastEvent>): Promise<ImportSummary> {
    const size = { cols: header.cols, rows: header.rows };
    const summary: ImportSummary = { ...size, endTime: 0, lastOutputTime: undefined, exitCode: undefined, outputBytes: 0, storedBytes: 0 };
    this.event(0, { type: 'start', command, cols: size.cols, rows: size.rows, pid: null });
    for await (const event of events) {
      // Players treat times as never going back; so does the store's timeline.
      const time = Math.max(event.time, summary.endTime);
      summary.endTime = time;
      switch (event.code) {
        case 'o':
          this.output(Buffer.from(event.data, 'utf8'), time);
          summary.lastOutputTime = time;
          break;
        case 'i':
          this.event(time, { type: 'input', data: Buffer.from(event.data, 'utf8').toString('base64') });
          break;
        case 'm':
          this.event(time, { type: 'marker', label: event.data });
          break;
        case 'r': {
          Object.assign(summary, parseResize(event.data));
          this.event(time, { type: 'resize', cols: summary.cols, rows: summary.rows });
          break;
        }
        case 'x': {
          const code = /^-?\d+$/.test(event.data.trim()) ? Number(event.data.trim()) : undefined;
          summary.exitCode = code;
          this.event(time, { type: 'exit', code: code ?? null, signal: null });
          break;
        }
        default:
          break; // Codes a player ignores, ccmux ignores too.
      }
      if (this.pending.length >= MAX_PENDING) await this.settle();
    }
    this.seal();
    this.renderer.commit();
    this.flushLines();
    await this.settle();
    return { ...summary, outputBytes: this.offset, storedBytes: this.storedBytes };
  }

  /** Waits for every write issued so far (rejecting with the first failure). */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  /** Kept for settle(); a failure surfaces there, never as an unhandled rejection. */
  private track(write: Promise<unknown>): void {
    write.catch(() => undefined);
    this.pending.push(write);
  }

  private event(time: number, event: { type: string } & Record<string, unknown>): void {
    this.track(this.store.putEvent(this.id, this.eventSeq++, JSON.stringify({ t: roundMicros(time), ...event })));
  }

  private output(data: Buffer, time: number): void {
    this.renderer.write(data, time, this.offset + this.stagedBytes);
    for (let at = 0; at < data.length; ) {
      const part = data.subarray(at, at + RECORD_BYTES - this.stagedBytes);
      this.staged.push(part);
      this.stagedBytes += part.length;
      this.reads.push({ time, length: part.length });
      at += part.length;
      if (this.stagedBytes === RECORD_BYTES) this.seal();
    }
  }

  private seal(): void {
    if (!this.stagedBytes) return;
    const record = { startOffset: this.offset, reads: this.reads, data: Buffer.concat(this.staged) };
    this.offset += this.stagedBytes;
    this.staged = [];
    this.stagedBytes = 0;
    this.reads = [];
    this.track(
      encodeOutputRecord(record, DEFAULT_CODEC).then((encoded) => {
        this.storedBytes += encoded.length;
        return this.store.putOutput(this.id, record.startOffset, encoded);
      }),
    );
  }

  private addLine(line: TextLine): void {
    this.lines.push(line);
    this.lineChars += line.text.length;
    if (this.lines.length >= BLOCK_LINES || this.lineChars >= BLOCK_CHARS) this.flushLines();
  }

  private flushLines(): void {
    if (!this.lines.length) return;
    const block = encodeLineBlock(this.lines, DEFAULT_CODEC);
    this.storedBytes += block.length;
    this.track(this.store.putLines(this.id, this.lines[0]!.offset, block));
    this.lines = [];
    this.lineChars = 0;
  }
}
