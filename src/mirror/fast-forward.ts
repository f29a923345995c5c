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

const encoder = new TextEncoder();

/**
 * Where `data` (unparsed output, starting exactly where the parser stopped) may be cut so that at
 * least `keepLines` plain lines remain before anything that is not plain. Undefined if nowhere.
 */
export function fastForwardCut(data: Uint8Array, keepLines: number): Cut | undefined {
  const lineEnds: number[] = [];
  /** SGR sequences seen: where each starts, its text, and whether it resets all attributes. */
  const sgr: { at: number; text: string; reset: boolean }[] = [];
  let index = 0;
  scan: while (index < data.length) {
    const byte = data[index]!;
    if (byte >= 0x20 && byte !== 0x7f) {
      index++;
      continue;
    }
    switch (byte) {
      case 0x0d:
        if (data[index + 1] === 0x0a) {
          index += 2;
          lineEnds.push(index);
          continue;
        }
        index++;
        continue;
      case 0x0a:
      case 0x09:
      case 0x08:
        index++;
        continue;
      case 0x1b: {
        if (data[index + 1] !== 0x5b) break scan;
        let end = index + 2;
        while (end < data.length && ((data[end]! >= 0x30 && data[end]! <= 0x39) || data[end] === 0x3b || data[end] === 0x3a)) end++;
        if (end >= data.length || data[end] !== 0x6d) break scan;
        const params = String.fromCharCode(...data.subarray(index + 2, end));
        sgr.push({ at: index, text: `\x1b[${params}m`, reset: params === '' || params === '0' || params.startsWith('0;') });
        index = end + 1;
        continue;
      }
      default:
        break scan;
    }
  }
  if (lineEnds.length <= keepLines) return undefined;
  const skip = lineEnds[lineEnds.length - 1 - keepLines]!;
  // The colour state at the cut: every SGR since the last full reset before it.
  const before = sgr.filter((entry) => entry.at < skip);
  let from = 0;
  for (let at = before.length - 1; at >= 0; at--) {
    if (before[at]!.reset) {
      from = at;
      break;
    }
  }
  if (before.length - from > MAX_SGR) return undefined;
  return { skip, replacement: encoder.encode(`${before.slice(from).map((entry) => entry.text).join('')}\r\n`) };
}
