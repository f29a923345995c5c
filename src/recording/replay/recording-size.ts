// The size a recording had at a time, and the largest it takes over a span (from its start and resize events).
import type { RecordedEvent } from '../timeline';

/** The recording's size at `time`: its last start or resize event by then. */
export function sizeAt(events: readonly RecordedEvent[], time: number, fallback: { cols: number; rows: number }): { cols: number; rows: number } {
  let size = fallback;
  for (const event of events) {
    if (event.t > time) break;
    if ((event.type === 'start' || event.type === 'resize') && typeof event.cols === 'number' && typeof event.rows === 'number') {
      size = { cols: event.cols, rows: event.rows };
    }
  }
  return size;
}

/** The largest size the recording has between `from` and `to` (for the "terminal too small" warning). */
export function largestSize(
  events: readonly RecordedEvent[],
  from: number,
  to: number,
  fallback: { cols: number; rows: number },
): { cols: number; rows: number } {
  const largest = { ...sizeAt(events, from, fallback) };
  for (const event of events) {
    if (event.t <= from || event.t > to || event.type !== 'resize') continue;
    largest.cols = Math.max(largest.cols, Number(event.cols) || 0);
    largest.rows = Math.max(largest.rows, Number(event.rows) || 0);
  }
  return largest;
}
