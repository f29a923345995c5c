// The mirror's fast-forward: skipping plain lines must leave exactly the screen, scrollback, cursor
// and attributes that parsing everything would.
import { Terminal } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { logPayload } from '../../bench/payload.mjs';
import { fastForwardCut } from '../../src/mirror/fast-forward';

function write(terminal: Terminal, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

/** Every cell of the buffer (scrollback included) with its attributes, plus the cursor. */
function dump(terminal: Terminal): string {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y)!;
    let row = line.isWrapped ? '↩' : '';
    for (let x = 0; x < terminal.cols; x++) {
      const cell = line.getCell(x)!;
      row += `${cell.getChars() || ' '}${cell.getFgColorMode()}:${cell.getFgColor()}/${cell.getBgColorMode()}:${cell.getBgColor()}/${cell.isBold()}${cell.isDim()}|`;
    }
    rows.push(row);
  }
  return `${rows.join('\n')}\ncursor ${buffer.cursorX},${buffer.cursorY} base ${buffer.baseY}`;
}

async function compare(prefix: string, data: Uint8Array, suffix: string, cols = 80, rows = 24, scrollback = 100): Promise<number> {
  const full = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const skipped = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  for (const terminal of [full, skipped]) await write(terminal, prefix);
  await write(full, data);
  const cut = fastForwardCut(data, 2 * rows + scrollback);
  if (cut) {
    await write(skipped, cut.replacement);
    await write(skipped, data.subarray(cut.skip));
  } else await write(skipped, data);
  for (const terminal of [full, skipped]) await write(terminal, suffix);
  expect(dump(skipped)).toBe(dump(full));
  return cut?.skip ?? 0;
}

describe('fastForwardCut', () => {
  it('skips most of a long log and leaves the identical buffer, colours and cursor', async () => {
    const data = new Uint8Array(logPayload(2_000_000, 7));
    // End on a complete line so that the comparison does not depend on where the payload was cut.
    const end = data.lastIndexOf(0x0a) + 1;
    const skipped = await compare('\x1b[2J\x1b[5;1Hstale content on row 5\x1b[31m', data.subarray(0, end), 'after \x1b[1mbold\x1b[0m');
    expect(skipped).toBeGreaterThan(1_500_000);
  });

  it('carries the colour state across the cut, with and without resets in the skipped part', async () => {
    const lines = (n: number, text: string) => Array.from({ length: n }, (_, i) => `${text} ${i}\r\n`).join('');
    const noReset = new TextEncoder().encode(`\x1b[32m${lines(300, 'green')}\x1b[1m${lines(300, 'bold green')}`);
    expect(await compare('\x1b[44m', noReset, 'tail')).toBeGreaterThan(0);
    const withReset = new TextEncoder().encode(`\x1b[35m${lines(200, 'magenta')}\x1b[0m\x1b[33m${lines(300, 'yellow')}`);
    expect(await compare('', withReset, 'tail')).toBeGreaterThan(0);
  });

  it('never skips across anything but plain lines, and keeps enough lines to fill the buffer twice', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}\r\n`).join('');
    expect(fastForwardCut(new TextEncoder().encode(`\x1b[H${lines}`), 148)).toBeUndefined();
    expect(fastForwardCut(new TextEncoder().encode(`a\x07${lines}`), 148)).toBeUndefined();
    const cut = fastForwardCut(new TextEncoder().encode(`${lines}\x1b]0;title\x07${lines}`), 148)!;
    expect(new TextDecoder().decode(new TextEncoder().encode(lines).subarray(cut.skip)).split('\r\n').length - 1).toBe(148);
    await compare('x', new TextEncoder().encode(`${lines}\x1b[?1049h${lines}`), '');
  });

  it('handles wide characters and lines that wrap', async () => {
    const wide = Array.from({ length: 500 }, (_, i) => `${'日本語テキスト'.repeat((i % 9) + 1)} ${i}\r\n`).join('');
    expect(await compare('', new TextEncoder().encode(wide), 'end', 40, 10, 50)).toBeGreaterThan(0);
  });
});
