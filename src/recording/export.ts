// `ccmux export` formats: asciicast v3/v2, the JSONL timeline, rendered text and the raw bytes, each
// produced as a stream of pieces straight from the store (any size, while the daemon runs or not).
import { constants } from 'node:os';
import type { ExitInfo } from '../protocol/messages';
import { decodeLineBlock, decodeOutputRecord } from '../store/record-format';
import type { Store, StoredSession } from '../store/store';
import { commandLine } from '../commands/format';
import { CastWriter, type CastVersion } from './cast-writer';
import { outputChunks, roundMicros, type OutputChunk, type RecordedEvent } from './timeline';

export const EXPORT_FORMATS = ['cast', 'cast-v2', 'jsonl', 'txt', 'raw'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Told the output offset reached, for progress. */
export type ExportProgress = (offset: number) => void;

type TimelineItem = { chunk: OutputChunk; event?: undefined } | { event: RecordedEvent; json: string; chunk?: undefined };

function* storedEvents(store: Store, id: string): Iterable<{ event: RecordedEvent; json: string }> {
  for (const { value } of store.events(id)) yield { event: JSON.parse(value) as RecordedEvent, json: value };
}

/** Output chunks and events in time order (on a tie the output first: an exit comes after the last bytes). */
function* mergedTimeline(store: Store, id: string): Iterable<TimelineItem> {
  const events = storedEvents(store, id)[Symbol.iterator]();
  let next = events.next();
  for (const chunk of outputChunks(store, id)) {
    // Compared at the events' precision (µs): an event stored at a read's rounded time ties with it.
    const time = roundMicros(chunk.time);
    for (; !next.done && next.value.event.t < time; next = events.next()) yield next.value;
    yield { chunk };
  }
  for (; !next.done; next = events.next()) yield next.value;
}

export function exportRecording(store: Store, meta: StoredSession, format: ExportFormat, progress: ExportProgress = () => {}): Iterable<string | Uint8Array> {
  switch (format) {
    case 'cast':
      return castExport(store, meta, 3, progress);
    case 'cast-v2':
      return castExport(store, meta, 2, progress);
    case 'jsonl':
      return jsonlExport(store, meta, progress);
    case 'txt':
      return textExport(store, meta, progress);
    case 'raw':
      return rawExport(store, meta, progress);
  }
}

/** Reads closer together than this are one cast event: fewer lines, timing kept within a millisecond. */
const MERGE_MS = 1;
const MERGE_BYTES = 256 * 1024;

/** The shell's convention for an exit status: the code, or 128 + the signal number. */
function exitStatus(exit: ExitInfo): number {
  if (typeof exit.code === 'number') return exit.code;
  const signal = exit.signal ? (constants.signals as Record<string, number>)[exit.signal] : undefined;
  return 128 + (signal ?? 0);
}

function* castExport(store: Store, meta: StoredSession, version: CastVersion, progress: ExportProgress): Iterable<string> {
  const writer = new CastWriter(version);
  let size = { cols: meta.cols, rows: meta.rows };
  for (const { event } of storedEvents(store, meta.id)) {
    if (event.type !== 'start') continue;
    size = { cols: Number(event.cols), rows: Number(event.rows) };
    break;
  }
  yield writer.header({ ...size, createdAt: meta.createdAt, command: commandLine(meta.command), title: meta.title });
  let group: { time: number; parts: Buffer[]; bytes: number; end: number } | undefined;
  const flush = (): string => {
    if (!group) return '';
    const line = writer.output(group.time, group.parts.length === 1 ? group.parts[0]! : Buffer.concat(group.parts));
    progress(group.end);
    group = undefined;
    return line;
  };
  let time = 0;
  for (const item of mergedTimeline(store, meta.id)) {
    if (item.chunk) {
      const { chunk } = item;
      time = chunk.time;
      if (group && chunk.time - group.time < MERGE_MS && group.bytes < MERGE_BYTES) {
        group.parts.push(chunk.data);
        group.bytes += chunk.data.length;
      } else {
        const line = flush();
        if (line) yield line;
        group = { time: chunk.time, parts: [chunk.data], bytes: chunk.data.length, end: 0 };
      }
      group.end = chunk.offset + chunk.data.length;
      continue;
    }
    const line = flush() + castEvent(writer, item.event, size);
    time = item.event.t;
    if (line) yield line;
  }
  const last = flush() + writer.finish(time);
  if (last) yield last;
}

/** A timeline event as a cast line, or '' for events casts have no code for (attach, title, bell…). */
function castEvent(writer: CastWriter, event: RecordedEvent, size: { cols: number; rows: number }): string {
  switch (event.type) {
    case 'start':
    case 'resize': {
      // A respawn starts again at the size of its time; a cast only needs it when it changed.
      const cols = Number(event.cols);
      const rows = Number(event.rows);
      if (cols === size.cols && rows === size.rows) return '';
      Object.assign(size, { cols, rows });
      return writer.resize(event.t, cols, rows);
    }
    case 'marker':
      return writer.marker(event.t, String(event.label ?? ''));
    case 'input':
      return writer.input(event.t, Buffer.from(String(event.data ?? ''), 'base64'));
    case 'exit':
      return writer.exit(event.t, exitStatus({ code: event.code as number | null, signal: event.signal as string | null }));
    default:
      return '';
  }
}

function* jsonlExport(store: Store, meta: StoredSession, progress: ExportProgress): Iterable<string> {
  for (const item of mergedTimeline(store, meta.id)) {
    if (item.chunk) {
      const { chunk } = item;
      const t = roundMicros(chunk.time);
      yield `${JSON.stringify({ t, type: 'output', offset: chunk.offset, data: chunk.data.toString('base64') })}\n`;
      progress(chunk.offset + chunk.data.length);
    } else {
      yield `${item.json}\n`;
    }
  }
}

function* textExport(store: Store, meta: StoredSession, progress: ExportProgress): Iterable<string> {
  for (const { seq, value } of store.lines(meta.id)) {
    const block = decodeLineBlock(value);
    if (block.times.length) yield `${block.text}\n`;
    progress(seq);
  }
}

function* rawExport(store: Store, meta: StoredSession, progress: ExportProgress): Iterable<Uint8Array> {
  for (const { value } of store.outputRecords(meta.id)) {
    const record = decodeOutputRecord(value);
    yield record.data;
    progress(record.startOffset + record.data.length);
  }
}
