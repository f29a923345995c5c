// Search over the recordings' text index: rendered lines (escape sequences stripped, redraws already
// collapsed by the line renderer), with identical lines of a session grouped into one hit.
import { decodeLineBlock } from '../store/record-format';
import type { SearchHit } from '../protocol/requests';
import type { Store, StoredSession } from '../store/store';

export type { SearchHit };

export interface SearchOptions {
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
  /** Only lines that appeared at or after this time (ms since the epoch). */
  since?: number;
  /** Every occurrence rather than one hit per distinct line. */
  all: boolean;
  /** Lines of context on each side. */
  context: number;
  /** Called as blocks are searched, for progress on a terminal. */
  progress?: (doneBytes: number) => void;
}

export function compileSearch(options: Pick<SearchOptions, 'pattern' | 'regex' | 'ignoreCase'>): RegExp {
  const source = options.regex ? options.pattern : options.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(source, `gm${options.ignoreCase ? 'i' : ''}`);
}

/** Start index of every line in `text` (lines joined by \n). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function lineAt(starts: number[], position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

export function searchSession(store: Store, session: StoredSession, options: SearchOptions, regex: RegExp): SearchHit[] {
  const hits: SearchHit[] = [];
  const byText = new Map<string, SearchHit>();
  let searched = 0;
  for (const { value } of store.lines(session.id)) {
    searched += value.length;
    const block = decodeLineBlock(value);
    options.progress?.(searched);
    regex.lastIndex = 0;
    if (!regex.test(block.text)) continue;
    const starts = lineStarts(block.text);
    const lines = block.text.split('\n');
    regex.lastIndex = 0;
    let lastLine = -1;
    for (let match = regex.exec(block.text); match; match = regex.exec(block.text)) {
      if (match[0] === '') regex.lastIndex++;
      const index = lineAt(starts, match.index);
      if (index === lastLine) continue;
      lastLine = index;
      const time = block.times[index]!;
      if (options.since !== undefined && session.createdAt + time < options.since) continue;
      const line = lines[index]!;
      const existing = byText.get(line);
      if (existing && !options.all) {
        existing.count++;
        continue;
      }
      const hit: SearchHit = {
        session: session.name,
        id: session.id,
        time: time / 1000,
        offset: block.offsets[index]!,
        line,
        before: lines.slice(Math.max(0, index - options.context), index),
        after: lines.slice(index + 1, index + 1 + options.context),
        count: 1,
      };
      byText.set(line, hit);
      hits.push(hit);
    }
  }
  return hits;
}
