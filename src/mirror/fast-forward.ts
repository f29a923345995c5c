// Lets the screen mirror skip output that cannot change what it will show, so a program printing
// flat out is never slowed to the speed of the terminal parser.
//
// Output made only of "plain lines" — printable text (UTF-8 included), CR, LF, TAB, BS and SGR
// colour sequences — affects the screen only by scrolling. If at least 2·rows + scrollback complete
// lines (CR LF) of such output follow a point, everything before that point scrolls out of the
// buffer entirely: the screen, the scrollback and the cursor column end up the same whether it was
// parsed or not. The only state it carries forward is the SGR colour state, which we replay; the
// margin of `rows` extra lines covers the rows the first kept lines overwrite instead of scrolling.
// Anything else (cursor movement, modes, OSC, BEL, charsets) stops the scan: it is never skipped.

export interface Cut {
  /** Bytes at the start of the data that can be dropped. */
  skip: number;
  /** What replaces them: the SGR state they leave behind, then CR LF (cursor to column 0). */
  replacement: Uint8Array;
}

/** Most SGR sequences replayed across a cut; a program that never resets colours is not skipped. */
const MAX_SGR = 4096;

/**
 * Where `data` (unparsed output, starting exactly where the parser stopped) may be cut so that at
 * least `keepLines` plain lines remain before anything that is not plain. Undefined if nowhere.
 * This runs over every byte of a flood, so it is one tight loop that allocates nothing per byte.
 */
export function fastForwardCut(data: Uint8Array, keepLines: number): Cut | undefined {
  const lineEnds: number[] = [];
  /** SGR sequences as [start, end, reset?] triples, in order. */
  const sgr: number[] = [];
  const length = data.length;
  let index = 0;
  scan: while (index < length) {
    let byte = data[index]!;
    // Printable runs (most of the data) in the tightest loop.
    while (byte >= 0x20 && byte !== 0x7f) {
      if (++index === length) break scan;
      byte = data[index]!;
    }
    if (byte === 0x0d) {
      if (data[index + 1] === 0x0a) {
        index += 2;
        lineEnds.push(index);
      } else index++;
    } else if (byte === 0x0a || byte === 0x09 || byte === 0x08) {
      index++;
    } else if (byte === 0x1b && data[index + 1] === 0x5b) {
      let end = index + 2;
      let reset = true; // no parameters, or a first parameter of 0
      let first = true;
      for (; end < length; end++) {
        const param = data[end]!;
        if (param === 0x3b || param === 0x3a) first = false;
        else if (param >= 0x30 && param <= 0x39) {
          if (first && param !== 0x30) reset = false;
        } else break;
      }
      if (end >= length || data[end] !== 0x6d) break;
      sgr.push(index, end + 1, reset ? 1 : 0);
      index = end + 1;
    } else break;
  }
  if (lineEnds.length <= keepLines) return undefined;
  const skip = lineEnds[lineEnds.length - 1 - keepLines]!;
  // The colour state at the cut: every SGR since the last full reset before it.
  let last = 0;
  while (last < sgr.length && sgr[last]! < skip) last += 3;
  let from = last - 3;
  while (from > 0 && sgr[from + 2] !== 1) from -= 3;
  from = Math.max(0, from);
  if ((last - from) / 3 > MAX_SGR) return undefined;
  let size = 2;
  for (let at = from; at < last; at += 3) size += sgr[at + 1]! - sgr[at]!;
  const replacement = new Uint8Array(size);
  let out = 0;
  for (let at = from; at < last; at += 3) {
    replacement.set(data.subarray(sgr[at]!, sgr[at + 1]!), out);
    out += sgr[at + 1]! - sgr[at]!;
  }
  replacement[out] = 0x0d;
  replacement[out + 1] = 0x0a;
  return { skip, replacement };
}
