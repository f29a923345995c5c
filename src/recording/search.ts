// Search over the recordings' text index: rendered lines (escape sequences stripped, redraws already
// collapsed by the line renderer), with identical lines of a session grouped into one hit.
import { StoredLineBlock } from '../store/record-format';
import type { SearchHit } from '../protocol/requests';
import type { Store, StoredSession } from '../store/store';
import { filterMayContain, patternTrigrams } from '../store/trigram-filter';

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

type PatternOptions = Pick<SearchOptions, 'pattern' | 'regex' | 'ignoreCase'>;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileSearch(options: PatternOptions): RegExp {
  const source = options.regex ? options.pattern : escapeRegex(options.pattern);
  return new RegExp(source, `gm${options.ignoreCase ? 'i' : ''}`);
}

/**
 * A test on a block's UTF-8 bytes that every block the pattern matches in passes, so that most blocks are
 * never decoded into strings: literal patterns only. UTF-8 is self-synchronizing, so a literal's bytes
 * occur exactly where it does; an ASCII literal's bytes never occur inside a multi-byte character, so
 * matching it case-blind over the bytes read as Latin-1 is exact too.
 */
function bytePrefilter(options: PatternOptions): ((text: Buffer) => boolean) | undefined {
  if (options.regex) return undefined;
  if (!options.ignoreCase) {
    const needle = Buffer.from(options.pattern, 'utf8');
    return (text) => text.includes(needle);
  }
  if (!/^[\x00-\x7f]*$/.test(options.pattern)) return undefined;
  const blind = new RegExp(escapeRegex(options.pattern), 'i');
  return (text) => blind.test(text.toString('latin1'));
}

/** The daemon yields to its sessions every this many blocks (~1 MiB of text when each is searched in full). */
const BLOCKS_PER_TURN = 16;

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

export async function searchSession(store: Store, session: StoredSession, options: SearchOptions, regex: RegExp): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  const byText = new Map<string, SearchHit>();
  const prefilter = bytePrefilter(options);
  // Blocks the literal cannot be in are ruled out by their trigram filter, before decompressing.
  const trigrams = options.regex ? undefined : patternTrigrams(options.pattern, options.ignoreCase);
  let searched = 0;
  let blocks = 0;
  for (const { value } of store.lines(session.id)) {
    searched += value.length;
    options.progress?.(searched);
    if (++blocks % BLOCKS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const stored = new StoredLineBlock(value);
    if (trigrams && stored.filter && !filterMayContain(stored.filter, trigrams)) continue;
    const raw = stored.decompress();
    if (prefilter && !prefilter(raw.textBytes)) continue;
    const block = raw.parse();
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
