// Binary layouts of what the store holds: output records (raw PTY bytes with per-read timing),
// keyframes (serialized screens) and text-index blocks. Little-endian throughout.
import { CcmuxError } from '../errors';
import { Codec, compress, compressSync, decompress } from './codec';
import { buildTrigramFilter } from './trigram-filter';

const OUTPUT_VERSION = 1;
const OUTPUT_HEADER = 28;
const READ_ENTRY = 8;

/** One PTY read inside a record: when it happened and how many bytes it brought. */
export interface Read {
  /** Milliseconds since the session started. */
  time: number;
  length: number;
}

export interface OutputRecord {
  /** Offset of the record's first byte in the session's whole output stream. */
  startOffset: number;
  reads: Read[];
  data: Buffer;
}

/**
 * [u8 version][u8 codec][u16 0][u32 raw length][u32 read count][f64 start offset][f64 start time ms]
 * [read count × (u32 µs since start time, u32 length)][payload, compressed]
 */
export async function encodeOutputRecord(record: OutputRecord, codec: Codec): Promise<Buffer> {
  const head = Buffer.alloc(OUTPUT_HEADER + record.reads.length * READ_ENTRY);
  const startTime = record.reads[0]?.time ?? 0;
  head.writeUInt8(OUTPUT_VERSION, 0);
  head.writeUInt8(codec, 1);
  head.writeUInt32LE(record.data.length, 4);
  head.writeUInt32LE(record.reads.length, 8);
  head.writeDoubleLE(record.startOffset, 12);
  head.writeDoubleLE(startTime, 20);
  record.reads.forEach((read, index) => {
    const at = OUTPUT_HEADER + index * READ_ENTRY;
    head.writeUInt32LE(Math.min(0xffffffff, Math.round((read.time - startTime) * 1000)), at);
    head.writeUInt32LE(read.length, at + 4);
  });
  return Buffer.concat([head, await compress(codec, record.data)]);
}

/** The header alone: offsets and times without decompressing the payload. */
export function peekOutputRecord(buffer: Buffer): { startOffset: number; length: number; startTime: number; endTime: number } {
  checkVersion(buffer);
  const count = buffer.readUInt32LE(8);
  const startTime = buffer.readDoubleLE(20);
  const last = count ? buffer.readUInt32LE(OUTPUT_HEADER + (count - 1) * READ_ENTRY) / 1000 : 0;
  return { startOffset: buffer.readDoubleLE(12), length: buffer.readUInt32LE(4), startTime, endTime: startTime + last };
}

export function decodeOutputRecord(buffer: Buffer): OutputRecord {
  checkVersion(buffer);
  const codec = buffer.readUInt8(1);
  const length = buffer.readUInt32LE(4);
  const count = buffer.readUInt32LE(8);
  const startOffset = buffer.readDoubleLE(12);
  const startTime = buffer.readDoubleLE(20);
  const reads: Read[] = [];
  for (let index = 0; index < count; index++) {
    const at = OUTPUT_HEADER + index * READ_ENTRY;
    reads.push({ time: startTime + buffer.readUInt32LE(at) / 1000, length: buffer.readUInt32LE(at + 4) });
  }
  const data = decompress(codec, buffer.subarray(OUTPUT_HEADER + count * READ_ENTRY));
  if (data.length !== length) throw new CcmuxError('internal', 'a recording record is damaged (length mismatch)');
  return { startOffset, reads, data };
}

function checkVersion(buffer: Buffer): void {
  if (buffer.length < OUTPUT_HEADER || buffer.readUInt8(0) !== OUTPUT_VERSION) {
    throw new CcmuxError('internal', 'a recording record has an unknown format; is this store from a newer ccmux?');
  }
}

/** A serialized screen at an output offset, so that replay can seek without re-parsing from the start. */
export interface Keyframe {
  offset: number;
  time: number;
  cols: number;
  rows: number;
  /** Bytes that repaint a terminal of cols × rows to this screen. */
  screen: string;
}

/** [u8 1][u8 codec][u16 cols][u16 rows][u16 0][f64 offset][f64 time][payload] */
function keyframeHead(keyframe: Keyframe, codec: Codec): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt8(1, 0);
  head.writeUInt8(codec, 1);
  head.writeUInt16LE(keyframe.cols, 2);
  head.writeUInt16LE(keyframe.rows, 4);
  head.writeDoubleLE(keyframe.offset, 8);
  head.writeDoubleLE(keyframe.time, 16);
  return head;
}

export function encodeKeyframe(keyframe: Keyframe, codec: Codec): Buffer {
  return Buffer.concat([keyframeHead(keyframe, codec), compressSync(codec, Buffer.from(keyframe.screen, 'utf8'))]);
}

export function decodeKeyframe(buffer: Buffer): Keyframe {
  return {
    cols: buffer.readUInt16LE(2),
    rows: buffer.readUInt16LE(4),
    offset: buffer.readDoubleLE(8),
    time: buffer.readDoubleLE(16),
    screen: decompress(buffer.readUInt8(1), buffer.subarray(24)).toString('utf8'),
  };
}

/** Rendered lines for search: each with the time (ms since start) and output offset it appeared at. */
export interface TextLine {
  time: number;
  offset: number;
  text: string;
}

/**
 * [u8 2][u8 codec][u16 0][u32 count][u32 filter bytes][trigram filter (trigram-filter.ts)]
 * [payload, compressed: count × (f64 time, f64 offset), then the lines joined by \n]
 * Version 1 blocks (older stores) have no filter fields: the payload starts at byte 8.
 */
export function encodeLineBlock(lines: TextLine[], codec: Codec): Buffer {
  const table = Buffer.alloc(lines.length * 16);
  lines.forEach((line, index) => {
    table.writeDoubleLE(line.time, index * 16);
    table.writeDoubleLE(line.offset, index * 16 + 8);
  });
  const text = Buffer.from(lines.map((line) => line.text).join('\n'), 'utf8');
  const filter = buildTrigramFilter(text);
  const head = Buffer.alloc(12);
  head.writeUInt8(2, 0);
  head.writeUInt8(codec, 1);
  head.writeUInt32LE(lines.length, 4);
  head.writeUInt32LE(filter.length, 8);
  return Buffer.concat([head, filter, compressSync(codec, Buffer.concat([table, text]))]);
}

export interface LineBlock {
  times: Float64Array;
  offsets: Float64Array;
  /** All lines joined by \n: search runs over this one string. */
  text: string;
}

/** A stored text-index block, read as far as its header: search may rule it out before decompressing it. */
export class StoredLineBlock {
  readonly count: number;
  /** Bloom filter of the text's trigrams; undefined for version 1 blocks. */
  readonly filter: Uint8Array | undefined;
  private readonly payloadAt: number;

  constructor(private readonly buffer: Buffer) {
    const version = buffer.readUInt8(0);
    if (version !== 1 && version !== 2) throw new CcmuxError('internal', 'a text-index block has an unknown format; is this store from a newer ccmux?');
    this.count = buffer.readUInt32LE(4);
    const filterBytes = version === 2 ? buffer.readUInt32LE(8) : 0;
    this.filter = version === 2 ? buffer.subarray(12, 12 + filterBytes) : undefined;
    this.payloadAt = version === 2 ? 12 + filterBytes : 8;
  }

  decompress(): RawLineBlock {
    return new RawLineBlock(this.count, decompress(this.buffer.readUInt8(1), this.buffer.subarray(this.payloadAt)));
  }
}

/** A decompressed block not parsed yet: its text may be scanned as bytes first. */
export class RawLineBlock {
  constructor(
    readonly count: number,
    private readonly payload: Buffer,
  ) {}

  /** The lines' text, UTF-8, joined by \n. */
  get textBytes(): Buffer {
    return this.payload.subarray(this.count * 16);
  }

  parse(): LineBlock {
    const times = new Float64Array(this.count);
    const offsets = new Float64Array(this.count);
    for (let index = 0; index < this.count; index++) {
      times[index] = this.payload.readDoubleLE(index * 16);
      offsets[index] = this.payload.readDoubleLE(index * 16 + 8);
    }
    return { times, offsets, text: this.textBytes.toString('utf8') };
  }
}

export function decodeLineBlock(buffer: Buffer): LineBlock {
  return new StoredLineBlock(buffer).decompress().parse();
}
