// Reading a session's recording back: output chunks with their times, events, keyframes.
import { decodeKeyframe, decodeOutputRecord, peekOutputRecord, type Keyframe, type OutputRecord } from '../store/record-format';
import type { Store } from '../store/store';

export interface OutputChunk {
  /** Milliseconds since the session was created. */
  time: number;
  /** Offset of the chunk's first byte in the session's output. */
  offset: number;
  data: Buffer;
}

/** Milliseconds to µs precision: how timeline events store their times. */
export function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export interface RecordedEvent {
  t: number;
  type: string;
  [field: string]: unknown;
}

/** The output as recorded, one chunk per PTY read, from `fromOffset` (chunks are cut to start there). */
export function* outputChunks(store: Store, id: string, fromOffset = 0): Iterable<OutputChunk> {
  for (const { value } of store.outputRecords(id, fromOffset)) {
    const header = peekOutputRecord(value);
    if (header.startOffset + header.length <= fromOffset) continue;
    yield* recordChunks(decodeOutputRecord(value), fromOffset);
  }
}

/** One record's reads as chunks, from `fromOffset` on (the chunk holding it is cut to start there). */
export function recordChunks(record: OutputRecord, fromOffset: number): OutputChunk[] {
  const chunks: OutputChunk[] = [];
  let at = 0;
  for (const read of record.reads) {
    const offset = record.startOffset + at;
    if (offset + read.length > fromOffset) {
      const skip = Math.max(0, fromOffset - offset);
      chunks.push({ time: read.time, offset: offset + skip, data: record.data.subarray(at + skip, at + read.length) });
    }
    at += read.length;
  }
  return chunks;
}

export function keyframeAtOrBefore(store: Store, id: string, offset: number): Keyframe | undefined {
  const entry = store.keyframeAtOrBefore(id, offset);
  return entry ? decodeKeyframe(entry.value) : undefined;
}

export function* recordedEvents(store: Store, id: string): Iterable<RecordedEvent> {
  for (const { value } of store.events(id)) yield JSON.parse(value) as RecordedEvent;
}
