// Main-thread side of the screen mirror: batches output to the worker and asks it for screens.
import { Worker } from 'node:worker_threads';
import { BufferPool } from '../util/buffer-pool';
import type { MirrorReply, MirrorRequest, SignalKind } from './mirror-protocol';
import type { ScreenText } from './screen';

/** Parse in big batches: xterm.js parses 4 KiB writes ~40 % slower than 64 KiB ones. */
const BATCH_BYTES = 64 * 1024;
/** Longest a small write waits for company before it is sent to the worker. */
const BATCH_DELAY_MS = 15;

export interface MirrorEvents {
  /** The terminal answered a query from the program (e.g. cursor position); goes back to the PTY. */
  answer(data: string): void;
  title(title: string): void;
  bell(time: number): void;
  signal(kind: SignalKind, data: string, time: number): void;
  /** Bytes sent but not yet parsed went down; flow control may resume the PTY. */
  parsed(): void;
  /** An encoded text-index block or keyframe, for the recording. */
  lines(offset: number, block: Buffer): void;
  keyframe(offset: number, block: Buffer): void;
}

interface PendingRequest {
  resolve(reply: MirrorReply): void;
  reject(error: Error): void;
}

/** Source of the worker, bundled into the executable by scripts/build.mjs. */
function workerSource(): string {
  return (require('virtual:mirror-worker') as { default: string }).default;
}

export class MirrorHost {
  private worker!: Worker;
  private readonly mirrors = new Map<string, ScreenMirror>();
  private readonly requests = new Map<number, PendingRequest>();
  private nextRequest = 1;
  private disposed = false;
  private startedAt = 0;
  /** Restarts after quick failures back off, so a worker that cannot start is no busy loop. */
  private restartDelay = 0;
  /** Batch buffers travel to the worker and back instead of being allocated per batch. */
  readonly batches = new BufferPool(2 * BATCH_BYTES, 64);

  constructor(private readonly log: (message: string) => void) {
    this.startWorker();
  }

  private startWorker(): void {
    this.startedAt = Date.now();
    this.worker = new Worker(workerSource(), { eval: true });
    this.worker.unref();
    this.worker.on('message', (reply: MirrorReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.log(`screen mirror worker failed: ${error.stack ?? error.message}`));
    this.worker.on('exit', (code) => {
      if (this.disposed) return;
      for (const pending of this.requests.values()) pending.reject(new Error('the screen mirror restarted'));
      this.requests.clear();
      this.restartDelay = Date.now() - this.startedAt < 10_000 ? Math.min(30_000, Math.max(250, this.restartDelay * 2)) : 0;
      this.log(`screen mirror worker exited (${code}); restarting it with empty screens in ${this.restartDelay} ms`);
      setTimeout(() => {
        if (this.disposed) return;
        this.startWorker();
        for (const mirror of this.mirrors.values()) mirror.recreate();
      }, this.restartDelay).unref();
    });
  }

  post(message: MirrorRequest, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  request(build: (req: number) => MirrorRequest): Promise<MirrorReply> {
    const req = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.requests.set(req, { resolve, reject });
      this.post(build(req));
    });
  }

  private onReply(reply: MirrorReply): void {
    switch (reply.op) {
      case 'parsed':
        for (const buffer of reply.buffers) this.batches.give(buffer);
        this.mirrors.get(reply.id)?.onParsed(reply.bytes);
        return;
      case 'answer':
        this.mirrors.get(reply.id)?.events.answer(reply.data);
        return;
      case 'title':
        this.mirrors.get(reply.id)?.events.title(reply.title);
        return;
      case 'bell':
        this.mirrors.get(reply.id)?.events.bell(reply.time);
        return;
      case 'signal':
        this.mirrors.get(reply.id)?.events.signal(reply.kind, reply.data, reply.time);
        return;
      case 'lines':
        this.mirrors.get(reply.id)?.events.lines(reply.offset, toBuffer(reply.block));
        return;
      case 'keyframe':
        this.mirrors.get(reply.id)?.events.keyframe(reply.offset, toBuffer(reply.block));
        return;
      case 'repaint':
      case 'text':
      case 'tail':
      case 'flushed':
      case 'failed': {
        const pending = this.requests.get(reply.req);
        this.requests.delete(reply.req);
        if (reply.op === 'failed') pending?.reject(new Error(reply.message));
        else pending?.resolve(reply);
        return;
      }
    }
  }

  /** A mirror for a session whose output continues at `source.offset` (0 for a new session). */
  open(id: string, size: { cols: number; rows: number }, scrollback: number, source: RecordedOutput, events: MirrorEvents): ScreenMirror {
    const mirror = new ScreenMirror(this, id, size, scrollback, source, events);
    this.mirrors.set(id, mirror);
    return mirror;
  }

  forget(id: string): void {
    this.mirrors.delete(id);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.worker.terminate();
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Where a mirror that fell behind reads the output it skipped: the session's recording (recorder.ts). */
export interface RecordedOutput {
  /** Offset of the next output byte; every byte before it was written to the mirror. */
  readonly offset: number;
  /** Output before this offset is settled in the store (or was lost by a failing one). */
  readonly durableOffset: number;
  /** Seals what is staged, so that everything written so far becomes durable soon. */
  seal(): void;
  /** The stored records (encoded) holding output in [from, to), in order; missing ones are left out. */
  storedOutput(from: number, to: number): Buffer[];
}

/**
 * A mirror reading back from the recording may fall this far behind before the program is held back too: an
 * attach or peek waits for the mirror to reach the present, and it catches up at ~20–40 MiB/s.
 */
const MAX_LAG = 64 * 1024 * 1024;
/** While behind, stored output goes to the worker this much per message, with at most this much unparsed. */
const CATCH_UP_BYTES = 1024 * 1024;
const CATCH_UP_WINDOW = 2 * 1024 * 1024;

/** A message that must reach the worker after the output before `offset` (requests, resizes). */
interface Positioned {
  offset: number;
  post(): void;
  cancel(): void;
}

/**
 * One session's screen, as seen from the main thread. Live, output is batched to the worker from memory.
 * When the worker falls too far behind (`fallBehind`), live output is no longer kept for it: it reads the
 * output from the recording instead, at its own pace, and goes live again once it has caught up. Requests
 * and resizes made meanwhile reach it exactly after the output that preceded them.
 */
export class ScreenMirror {
  private batch: Buffer[] = [];
  private batchTimes: number[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Offset of the next byte the worker gets, from a live batch or from the store. */
  private nextOffset: number;
  /** Bytes given to the worker since it was (re)created, and how many of them it has parsed. */
  private sent = 0;
  private parsed = 0;
  private behind = false;
  private readonly positioned: Positioned[] = [];
  /** Times this mirror fell behind and read output back from the recording. */
  fellBehind = 0;

  constructor(
    private readonly host: MirrorHost,
    private readonly id: string,
    private size: { cols: number; rows: number },
    private readonly scrollback: number,
    private readonly source: RecordedOutput,
    readonly events: MirrorEvents,
  ) {
    this.nextOffset = source.offset;
    this.recreate();
  }

  /** (Re)creates the worker-side terminal, e.g. after the worker restarted. */
  recreate(): void {
    this.sent = this.parsed = 0;
    this.host.post({ op: 'create', id: this.id, cols: this.size.cols, rows: this.size.rows, scrollback: this.scrollback, offset: this.nextOffset });
    // Behind, nothing else would resume the catch-up: what was in flight died with the old worker.
    this.catchUp();
  }

  /** Bytes held for the mirror in memory and not parsed yet (batched or in the worker). */
  private get backlog(): number {
    return this.sent - this.parsed + this.batchBytes;
  }

  /** Output written to the mirror that the worker has not parsed yet (kept in memory or in the recording). */
  get lag(): number {
    return this.source.offset - this.nextOffset + this.sent - this.parsed;
  }

  /**
   * What this mirror asks of the session's flow control: bytes to count against its high-water mark. Live, its
   * in-memory backlog; past `limit` it falls behind instead, when `mayFallBehind` (there is a recording to
   * read back from). Behind, only the part of its lag past MAX_LAG counts (keeping the caller's hysteresis),
   * or all of it while a request or resize waits: the program then pauses and the niced worker gets the CPU.
   */
  pressure(limit: number, highWater: number, mayFallBehind: boolean): number {
    if (!this.behind && mayFallBehind && this.backlog > limit) this.fallBehind();
    if (!this.behind) return this.backlog;
    return this.positioned.length ? Infinity : this.lag - MAX_LAG + highWater;
  }

  /** Adds one PTY read, which arrived `time` ms after the session started (after the recorder got it). */
  write(chunk: Buffer, time: number): void {
    if (this.behind) return; // The recording has it; the worker reads it from there.
    this.batch.push(chunk);
    this.batchTimes.push(time);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_DELAY_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batchBytes === 0) return;
    // One copy into a pooled buffer, transferred (not copied again) to the worker and back.
    const buffer = this.batchBytes <= this.host.batches.size ? this.host.batches.take() : new ArrayBuffer(this.batchBytes);
    const data = new Uint8Array(buffer, 0, this.batchBytes);
    const lengths: number[] = [];
    let offset = 0;
    for (const chunk of this.batch) {
      data.set(chunk, offset);
      offset += chunk.length;
      lengths.push(chunk.length);
    }
    const times = this.batchTimes;
    this.sent += this.batchBytes;
    this.nextOffset += this.batchBytes;
    this.batch = [];
    this.batchTimes = [];
    this.batchBytes = 0;
    this.host.post({ op: 'write', id: this.id, data, times, lengths }, [buffer]);
  }

  /** Stops keeping live output for the worker: it catches up from the recording instead. */
  private fallBehind(): void {
    if (this.behind) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.batch = [];
    this.batchTimes = [];
    this.batchBytes = 0;
    this.behind = true;
    this.fellBehind++;
    this.catchUp();
  }

  /**
   * While behind: gives the worker the next stored output (a window at a time) and the messages due at that
   * point; live again once it has been given everything. Called as the worker parses and as records commit.
   */
  catchUp(): void {
    while (this.behind) {
      while (this.positioned.length && this.positioned[0]!.offset <= this.nextOffset) this.positioned.shift()!.post();
      if (this.sent - this.parsed >= CATCH_UP_WINDOW) return;
      if (this.nextOffset >= this.source.offset) {
        this.behind = false;
        return;
      }
      const durable = this.source.durableOffset;
      if (durable <= this.nextOffset) {
        // Someone waits on output that is still staged: store it now rather than when its record fills.
        if (this.positioned.length) this.source.seal();
        return;
      }
      const from = this.nextOffset;
      const to = Math.min(durable, from + CATCH_UP_BYTES);
      const records = this.source.storedOutput(from, to).map((record) => new Uint8Array(record));
      this.host.post({ op: 'records', id: this.id, from, to, records }, records.map((record) => record.buffer as ArrayBuffer));
      this.sent += to - from;
      this.nextOffset = to;
    }
  }

  /** Posts once the worker has been given all output written before this call. */
  private afterOutputSoFar(post: () => void, cancel: () => void = () => {}): void {
    if (!this.behind) {
      this.flush();
      post();
      return;
    }
    this.positioned.push({ offset: this.source.offset, post, cancel });
    this.catchUp();
  }

  private request(build: (req: number) => MirrorRequest): Promise<MirrorReply> {
    return new Promise((resolve, reject) => {
      this.afterOutputSoFar(
        () => this.host.request(build).then(resolve, reject),
        () => reject(new Error('the session is gone')),
      );
    });
  }

  onParsed(bytes: number): void {
    this.parsed += bytes;
    this.catchUp();
    this.events.parsed();
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.afterOutputSoFar(() => this.host.post({ op: 'resize', id: this.id, cols, rows }));
  }

  /** Bytes that repaint a terminal to this screen, reflecting every byte written before the call. */
  async repaint(scrollback = 0): Promise<{ data: string; altScreen: boolean }> {
    const reply = await this.request((req) => ({ op: 'repaint', id: this.id, req, scrollback }));
    if (reply.op !== 'repaint') throw new Error('mirror answered the wrong request');
    return { data: reply.data, altScreen: reply.altScreen };
  }

  async text(options: { ansi: boolean; scrollback: number }): Promise<ScreenText> {
    const reply = await this.request((req) => ({ op: 'text', id: this.id, req, ...options }));
    if (reply.op !== 'text') throw new Error('mirror answered the wrong request');
    return reply.screen;
  }

  /** The last lines of output in the screen and its scrollback, reflecting every byte written before the call. */
  async tail(lines: number): Promise<{ lines: string[]; partial: string; cursor: number }> {
    const reply = await this.request((req) => ({ op: 'tail', id: this.id, req, lines }));
    if (reply.op !== 'tail') throw new Error('mirror answered the wrong request');
    return { lines: reply.lines, partial: reply.partial, cursor: reply.cursor };
  }

  /** Has the worker emit its pending text-index lines, once it has been given all output so far. */
  async flushIndex(): Promise<void> {
    await this.request((req) => ({ op: 'flush', id: this.id, req }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.batch = [];
    this.batchTimes = [];
    this.batchBytes = 0;
    this.behind = false;
    for (const waiting of this.positioned.splice(0)) waiting.cancel();
    this.host.post({ op: 'dispose', id: this.id });
    this.host.forget(this.id);
  }
}
