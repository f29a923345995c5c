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

  /** A mirror for a session whose output continues at `offset` (0 for a new session). */
  open(id: string, size: { cols: number; rows: number }, scrollback: number, offset: number, events: MirrorEvents): ScreenMirror {
    const mirror = new ScreenMirror(this, id, size, scrollback, offset, events);
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

/** One session's screen, as seen from the main thread. */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class ScreenMirror {
  private batch: Buffer[] = [];
  private batchTimes: number[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private parsed = 0;

  constructor(
    private readonly host: MirrorHost,
    private readonly id: string,
    private size: { cols: number; rows: number },
    private readonly scrollback: number,
    private readonly startOffset: number,
    readonly events: MirrorEvents,
  ) {
    this.recreate();
  }

  /** (Re)creates the worker-side terminal, e.g. after the worker restarted. */
  recreate(): void {
    const offset = this.startOffset + this.sent;
    this.sent = this.parsed = 0;
    this.host.post({ op: 'create', id: this.id, cols: this.size.cols, rows: this.size.rows, scrollback: this.scrollback, offset });
  }

  /** Bytes handed to the mirror and not yet parsed (batched or in the worker). */
  get backlog(): number {
    return this.sent - this.parsed + this.batchBytes;
  }

  /** Adds one PTY read, which arrived `time` ms after the session started. */
  write(chunk: Buffer, time: number): void {
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
    this.batch = [];
    this.batchTimes = [];
    this.batchBytes = 0;
    this.host.post({ op: 'write', id: this.id, data, times, lengths }, [buffer]);
  }

  onParsed(bytes: number): void {
    this.parsed += bytes;
    this.events.parsed();
  }

  resize(cols: number, rows: number): void {
    this.flush();
    this.size = { cols, rows };
    this.host.post({ op: 'resize', id: this.id, cols, rows });
  }

  /** Bytes that repaint a terminal to this screen, reflecting every byte written before the call. */
  async repaint(scrollback = 0): Promise<{ data: string; altScreen: boolean }> {
    this.flush();
    const reply = await this.host.request((req) => ({ op: 'repaint', id: this.id, req, scrollback }));
    if (reply.op !== 'repaint') throw new Error('mirror answered the wrong request');
    return { data: reply.data, altScreen: reply.altScreen };
  }

  async text(options: { ansi: boolean; scrollback: number }): Promise<ScreenText> {
    this.flush();
    const reply = await this.host.request((req) => ({ op: 'text', id: this.id, req, ...options }));
    if (reply.op !== 'text') throw new Error('mirror answered the wrong request');
    return reply.screen;
  }

  /** The last lines of output in the screen and its scrollback, reflecting every byte written before the call. */
  async tail(lines: number): Promise<{ lines: string[]; partial: string; cursor: number }> {
    this.flush();
    const reply = await this.host.request((req) => ({ op: 'tail', id: this.id, req, lines }));
    if (reply.op !== 'tail') throw new Error('mirror answered the wrong request');
    return { lines: reply.lines, partial: reply.partial, cursor: reply.cursor };
  }

  /** Sends what is batched and has the worker emit its pending text-index lines. */
  async flushIndex(): Promise<void> {
    this.flush();
    await this.host.request((req) => ({ op: 'flush', id: this.id, req }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.batch = [];
    this.batchTimes = [];
    this.batchBytes = 0;
    this.host.post({ op: 'dispose', id: this.id });
    this.host.forget(this.id);
  }
}
