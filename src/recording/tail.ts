// The end of a session's recording, for `ccmux tail`: its last text-index lines, or its last lines of
// raw output; read from the end, so a long recording costs no more than a short one.
import { decodeLineBlock, decodeOutputRecord } from '../store/record-format';
import type { Store } from '../store/store';

/** A raw tail stops at this many bytes however few newlines they hold (full-screen programs print few). */
export const MAX_RAW_TAIL_BYTES = 8 * 1024 * 1024;

/** The last `count` rendered lines (escape sequences stripped, redraws collapsed), oldest first. */
export function lastIndexedLines(store: Store, id: string, count: number): string[] {
  if (count <= 0) return [];
  const blocks: string[][] = [];
  let have = 0;
  for (const { value } of store.linesFromEnd(id)) {
    const block = decodeLineBlock(value);
    if (!block.times.length) continue;
    const lines = block.text.split('\n');
    blocks.unshift(lines);
    have += lines.length;
    if (have >= count) break;
  }
  return blocks.flat().slice(-count);
}

/** The raw bytes of the last `count` lines of output before `endOffset` (default: all that is stored). */
export function lastRawLines(store: Store, id: string, count: number, endOffset = Infinity): Buffer {
  if (count <= 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  let bytes = 0;
  let newlines = 0;
  for (const { value } of store.outputRecordsFromEnd(id)) {
    const record = decodeOutputRecord(value);
    if (record.startOffset >= endOffset) continue;
    const data = record.data.subarray(0, Math.min(record.data.length, endOffset - record.startOffset));
    if (!data.length) continue;
    for (let at = data.length - 1; at >= 0; at--) {
      if (data[at] !== 0x0a) continue;
      // The newline that ends the output ends the last line; it does not begin another one.
      if (!parts.length && at === data.length - 1) continue;
      if (++newlines === count) {
        parts.unshift(data.subarray(at + 1));
        return Buffer.concat(parts);
      }
    }
    parts.unshift(data);
    bytes += data.length;
    if (bytes >= MAX_RAW_TAIL_BYTES) break;
  }
  const all = Buffer.concat(parts);
  return all.length > MAX_RAW_TAIL_BYTES ? all.subarray(all.length - MAX_RAW_TAIL_BYTES) : all;
}
