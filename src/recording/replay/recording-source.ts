// A session's recording as replay reads it: output by offset, time → offset by record headers,
// keyframes for seeking, the timeline events, and the live edge of a session that still runs.
import { decodeOutputRecord, peekOutputRecord, type OutputRecord } from '../../store/record-format';
import type { Keyed, Store, StoredSession } from '../../store/store';
import { isAlive } from '../../util/process-alive';
import { keyframeAtOrBefore, recordChunks, type OutputChunk, type RecordedEvent } from '../timeline';
import type { ReplaySource, ScreenAt } from './player';

/** A "running" session whose program is gone (its daemon died) has ended once nothing arrived for this long. */
const ORPHAN_GRACE_MS = 1000;
/** An ended session whose metadata counts more output than was stored (lost writes) stops waiting after this. */
const SHORTFALL_GRACE_MS = 2000;

interface Header {
  start: number;
  end: number;
  startTime: number;
}

export class RecordingSource implements ReplaySource {
  firstOffset = 0;
  endOffset = 0;
  endTime = 0;
  live = false;
  readonly events: RecordedEvent[] = [];
  private nextEventSeq = 0;
  private lastEventTime = 0;
  private progressAt: number;

  constructor(
    private readonly store: Store,
    public meta: StoredSession,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.progressAt = now();
    this.load();
    // Events are appended in the order they were recorded; only a `lost` mark can be earlier than its neighbours.
    this.events.sort((a, b) => a.t - b.t);
  }

  get id(): string {
    return this.meta.id;
  }

  /** Picks up what was recorded since the last look (another process writes the store). */
  poll(): void {
    this.store.refresh();
    this.meta = this.store.session(this.id) ?? { ...this.meta, state: 'lost' };
    this.load();
  }

  private load(): void {
    let progressed = false;
    for (const { seq, value } of this.store.events(this.id, this.nextEventSeq)) {
      const event = JSON.parse(value) as RecordedEvent;
      this.events.push(event);
      this.lastEventTime = Math.max(this.lastEventTime, event.t);
      this.nextEventSeq = seq + 1;
      progressed = true;
    }
    for (const { seq } of this.store.outputRecords(this.id, 0)) {
      this.firstOffset = seq;
      break;
    }
    const last = this.store.lastOutputRecord(this.id);
    const header = last ? peekOutputRecord(last.value) : undefined;
    const endOffset = header ? header.startOffset + header.length : this.firstOffset;
    if (endOffset !== this.endOffset) progressed = true;
    this.endOffset = endOffset;
    this.endTime = Math.max(header?.endTime ?? 0, this.lastEventTime);

    const now = this.now();
    if (progressed) this.progressAt = now;
    const quiet = now - this.progressAt;
    const { state, pid, outputBytes } = this.meta;
    if (state === 'running') this.live = (pid !== null && isAlive(pid)) || quiet < ORPHAN_GRACE_MS;
    else this.live = this.endOffset < outputBytes && quiet < SHORTFALL_GRACE_MS;
  }

  /** The reads of the record holding the first recorded byte at or after `offset`; [] past the end. */
  chunksAt(offset: number): OutputChunk[] {
    const record = this.recordFrom(offset);
    return record ? recordChunks(record, offset) : [];
  }

  /** The recorded output in [from, to), a record's slice at a time. */
  *bytes(from: number, to: number): Iterable<Buffer> {
    let offset = from;
    while (offset < to) {
      const record = this.recordFrom(offset);
      if (!record || record.startOffset >= to) return;
      const begin = Math.max(offset, record.startOffset);
      const end = Math.min(to, record.startOffset + record.data.length);
      yield record.data.subarray(begin - record.startOffset, end - record.startOffset);
      offset = end;
    }
  }

  /** The first output offset whose bytes were read after `time`: every byte before it belongs on screen at `time`. */
  timeToOffset(time: number): number {
    let best = this.headerFrom(this.firstOffset);
    if (!best || best.startTime > time) return best?.start ?? this.firstOffset;
    // Binary search over offsets on record headers only (no decompression): the last record starting by `time`.
    let low = best.end;
    let high = this.endOffset - 1;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const probe = this.headerFrom(middle, true)!;
      if (probe.start < low) low = middle + 1; // A gap: no record starts in [low, middle].
      else if (probe.startTime <= time) {
        best = probe;
        low = probe.end;
      } else high = probe.start - 1;
    }
    let offset = best.start;
    for (const read of this.recordFrom(best.start)!.reads) {
      if (read.time > time) break;
      offset += read.length;
    }
    return offset;
  }

  /** What puts a terminal in the state at `offset`: the keyframe at or before it, then the output since. */
  screenAt(offset: number): ScreenAt {
    const keyframe = keyframeAtOrBefore(this.store, this.id, offset);
    const from = keyframe?.offset ?? this.firstOffset;
    return { screen: keyframe?.screen, catchUp: Buffer.concat([...this.bytes(from, offset)]) };
  }

  private recordFrom(offset: number): OutputRecord | undefined {
    const entry = this.entryFrom(offset);
    return entry && decodeOutputRecord(entry.value);
  }

  /** `atOrBefore`: the record holding `offset` or the last one before it; otherwise the one holding it or the next. */
  private headerFrom(offset: number, atOrBefore = false): Header | undefined {
    const entry = atOrBefore ? this.store.outputRecordAtOrBefore(this.id, offset) : this.entryFrom(offset);
    if (!entry) return undefined;
    const header = peekOutputRecord(entry.value);
    return { start: entry.seq, end: entry.seq + header.length, startTime: header.startTime };
  }

  private entryFrom(offset: number): Keyed<Buffer> | undefined {
    const at = this.store.outputRecordAtOrBefore(this.id, offset);
    if (at && at.seq + peekOutputRecord(at.value).length > offset) return at;
    // In a gap or past the end: the next record, if there is one.
    for (const entry of this.store.outputRecords(this.id, offset)) if (entry.seq >= offset) return entry;
    return undefined;
  }
}
