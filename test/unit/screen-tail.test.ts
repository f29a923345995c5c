// Screen.tail (`ccmux tail` of a running session): wrapped rows joined, the unfinished line apart, the
// alternate screen as its rows.
import { afterEach, describe, expect, it } from 'vitest';
import { Screen } from '../../src/mirror/screen';

let screen: Screen;
const screens: Screen[] = [];

afterEach(() => {
  for (const each of screens.splice(0)) each.dispose();
});

async function screenWith(output: string, cols = 20, rows = 5, scrollback = 100): Promise<Screen> {
  screen = new Screen(cols, rows, scrollback);
  screens.push(screen);
  screen.write(output);
  await screen.settled();
  return screen;
}

describe('Screen.tail', () => {
  it('gives the last complete lines, reaching into the scrollback, and the cursor line apart', async () => {
    const lines = Array.from({ length: 12 }, (_, index) => `line ${index + 1}`);
    await screenWith(`${lines.join('\r\n')}\r\n$ ls`);
    expect(screen.tail(3)).toEqual({ lines: ['line 10', 'line 11', 'line 12'], partial: '$ ls', cursor: 4 });
    expect(screen.tail(100).lines).toEqual(lines);
  });

  it('keeps the unfinished line up to the cursor, where the next output continues', async () => {
    await screenWith('done\r\nprompt> ');
    expect(screen.tail(5)).toEqual({ lines: ['done'], partial: 'prompt> ', cursor: 8 });
    // A progress line rewound with \r: the text stays, the cursor is back at its start.
    await screenWith('50%\r');
    expect(screen.tail(5)).toEqual({ lines: [], partial: '50%', cursor: 0 });
    // Wrapped: the cursor's index counts the rows above it.
    await screenWith(`${'y'.repeat(25)}`);
    expect(screen.tail(5)).toEqual({ lines: [], partial: 'y'.repeat(25), cursor: 25 });
  });

  it('has no unfinished line when the output ends with a newline', async () => {
    await screenWith('one\r\ntwo\r\n');
    expect(screen.tail(10)).toEqual({ lines: ['one', 'two'], partial: '', cursor: 0 });
  });

  it('joins rows the terminal wrapped back into the line the program printed', async () => {
    const long = 'x'.repeat(45);
    await screenWith(`short\r\n${long}\r\nafter\r\n`);
    expect(screen.tail(2).lines).toEqual([long, 'after']);
    expect(screen.tail(3).lines).toEqual(['short', long, 'after']);
  });

  it('keeps blank lines the program printed, but not the empty rows below the output', async () => {
    await screenWith('a\r\n\r\nb\r\n');
    expect(screen.tail(10)).toEqual({ lines: ['a', '', 'b'], partial: '', cursor: 0 });
  });

  it('gives the rows of a full-screen program (alternate screen), runs of empty rows as one', async () => {
    await screenWith('shell\r\n\x1b[?1049h\x1b[H\x1b[2J\x1b[2;1Htop line\x1b[3;1Hsecond\x1b[6;1Hlast row\x1b[1;1H', 20, 8);
    expect(screen.tail(10)).toEqual({ lines: ['top line', 'second', '', 'last row'], partial: '', cursor: 0 });
    expect(screen.tail(1).lines).toEqual(['last row']);
  });
});
