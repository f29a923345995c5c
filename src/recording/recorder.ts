// Records one session: output bytes with per-read timing into compressed records, timeline events,
// and the text-index blocks and keyframes the mirror worker produces. Runs on the daemon's main thread
// but only copies bytes there; compression runs in libuv's pool and LMDB commits in its own thread.
import { DEFAULT_CODEC } from '../store/codec';
import { encodeOutputRecord, type Read } from '../store/record-format';
import type { StoredSession } from '../store/store';
import { BufferPool } from '../util/buffer-pool';
import type { RecordingStore } from './recording-store';
import { roundMicros } from './timeline';

/** Largest raw record (~60 KiB once compressed): big enough that zstd set-up per record stays small next to the work. */
export const RECORD_BYTES = 256 * 1024;
/** A partly filled record is sealed after this long, bounding what a SIGKILL can lose. */
const FLUSH_MS = 50;
/** Metadata (last output time, byte counts) is written at most this often while output flows. */
const META_MS = 1000;

export type TimelineEvent = { type: string } & Record<string, unknown>;

/** Staging buffers shared by every session's recorder; an idle session holds none. */
const stagingPool = new BufferPool(RECORD_BYTES, 16);

export class Recorder {
  private staging: Buffer | undefined;
  private stagingBytes = 0;
  private reads: Read[] = [];
  private stagingOffset: number;
  private eventSeq: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private metaTimer: NodeJS.Timeout | undefined;
  private pending = new Set<Promise<unknown>>();
  /** Start offsets of sealed records whose write has not settled yet, oldest first. */
  private readonly unsettled: number[] = [];
  /** Bytes handed to compression or LMDB and not committed yet (flow control). */
  inFlight = 0;

  constructor(
    private readonly store: RecordingStore,
    readonly meta: StoredSession,
    /** Sequence number of the next timeline event (events continue across a respawn). */
    nextEventSeq: number,
    /** Called when in-flight bytes go down, so a paused program can resume. */
    private readonly settled: () => void = () => {},
  ) {
    this.stagingOffset = meta.outputBytes;
    this.eventSeq = nextEventSeq;
  }

  /** Offset of the next output byte in the session's whole output. */
  get offset(): number {
    return this.stagingOffset + this.stagingBytes;
  }

  /**
   * Output before this offset is settled in the store: committed, or given up on by a failing store. A
   * screen mirror that fell behind reads it back from there (`storedOutput`).
   */
  get durableOffset(): number {
    return this.unsettled.length ? this.unsettled[0]! : this.stagingOffset;
  }

  /** The stored records (encoded) holding output in [from, to), in order; missing ones are left out. */
  storedOutput(from: number, to: number): Buffer[] {
    if (!this.store.readable) return [];
    const records: Buffer[] = [];
    for (const { seq: start, value } of this.store.store.outputRecords(this.meta.id, from)) {
      if (start >= to) break;
      records.push(value);
    }
    return records;
  }

  output(chunk: Buffer, time: number): void {
    let rest = chunk;
    while (rest.length) {
      const room = RECORD_BYTES - this.stagingBytes;
      const part = rest.length > room ? rest.subarray(0, room) : rest;
      this.staging ??= Buffer.from(stagingPool.take());
      part.copy(this.staging, this.stagingBytes);
      this.stagingBytes += part.length;
      this.reads.push({ time, length: part.length });
      rest = rest.subarray(part.length);
      if (this.stagingBytes === RECORD_BYTES) this.seal();
    }
    this.meta.outputBytes += chunk.length;
    this.meta.lastOutputAt = Date.now();
    this.flushTimer ??= setTimeout(() => this.seal(), FLUSH_MS);
    this.metaTimer ??= setTimeout(() => this.saveMeta(), META_MS);
  }

  /** Seals the staged bytes into a record and stores it. */
  seal(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.stagingBytes || !this.staging) return;
    const staging = this.staging;
    const data = staging.subarray(0, this.stagingBytes);
    const startOffset = this.stagingOffset;
    const record = { startOffset, reads: this.reads, data };
    this.stagingOffset += this.stagingBytes;
    this.staging = undefined;
    this.stagingBytes = 0;
    this.reads = [];
    const bytes = data.length;
    this.inFlight += bytes;
    this.unsettled.push(startOffset);
    this.track(
      encodeOutputRecord(record, DEFAULT_CODEC)
        .then((encoded) => {
          this.grew(encoded.length);
          return this.store.write(() => this.store.store.putOutput(this.meta.id, startOffset, encoded));
        })
        .finally(() => {
          stagingPool.give(staging.buffer as ArrayBuffer);
          this.inFlight -= bytes;
          this.unsettled.splice(this.unsettled.indexOf(startOffset), 1);
          this.settled();
        }),
    );
  }

  event(event: TimelineEvent, time: number): void {
    const json = JSON.stringify({ t: roundMicros(time), ...event });
    const seq = this.eventSeq++;
    this.track(this.store.write(() => this.store.store.putEvent(this.meta.id, seq, json)));
  }

  lines(offset: number, block: Buffer): void {
    this.grew(block.length);
    this.track(this.store.write(() => this.store.store.putLines(this.meta.id, offset, block)));
  }

  keyframe(offset: number, block: Buffer): void {
    this.grew(block.length);
    this.track(this.store.write(() => this.store.store.putKeyframe(this.meta.id, offset, block)));
  }

  private grew(bytes: number): void {
    this.meta.storedBytes += bytes;
    this.store.grew(this.meta, bytes);
  }

  /** Writes the session's metadata now (state changes) rather than on the next tick. */
  saveMeta(): void {
    clearTimeout(this.metaTimer);
    this.metaTimer = undefined;
    this.track(this.store.write(() => this.store.store.putSession({ ...this.meta })));
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  /** Resolves once every write issued so far is committed (staged output stays staged). */
  async committed(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Seals what is staged and resolves once everything recorded so far is committed. */
  async finish(): Promise<void> {
    this.seal();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    this.saveMeta();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
