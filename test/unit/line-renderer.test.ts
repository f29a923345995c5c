// The line renderer behind search: escape sequences stripped, CR overwrites applied, redraws once.
import { describe, expect, it } from 'vitest';
import { LineRenderer, redrawKey, type RenderedLine } from '../../src/recording/line-renderer';

function render(chunks: string[]): RenderedLine[] {
  const lines: RenderedLine[] = [];
  const renderer = new LineRenderer((line) => lines.push(line));
  let offset = 0;
  chunks.forEach((chunk, index) => {
    const bytes = Buffer.from(chunk, 'utf8');
    renderer.write(bytes, index * 10, offset);
    offset += bytes.length;
  });
  renderer.commit();
  return lines;
}

const texts = (chunks: string[]) => render(chunks).map((line) => line.text);

describe('LineRenderer', () => {
  it('gives flowing lines with the time and offset of their first byte', () => {
    const lines = render(['one\r\ntw', 'o\r\n\r\nthree']);
    expect(lines).toEqual([
      { time: 0, offset: 0, text: 'one' },
      { time: 0, offset: 5, text: 'two' },
      { time: 10, offset: 12, text: 'three' },
    ]);
  });

  it('strips SGR, OSC, DCS and other escape sequences, even split across reads', () => {
    expect(texts(['\x1b[1;3', '1mred\x1b[0m plain\x1b]0;ti', 'tle\x07 after\x1bP+q\x1b\\ end\x1b(0 x\r\n'])).toEqual(['red plain after end x']);
  });

  it('applies carriage-return overwrites and erase-in-line, like a terminal', () => {
    expect(texts(['progress 10%\rprogress 100%\r\n'])).toEqual(['progress 100%']);
    expect(texts(['abcdef\rXY\r\n'])).toEqual(['XYcdef']);
    expect(texts(['abcdef\rXY\x1b[K\r\n'])).toEqual(['XY']);
    expect(texts(['abc\b\bX\r\n'])).toEqual(['aXc']);
    expect(texts(['$ lss\b \b -l\r\n'])).toEqual(['$ ls -l']);
    expect(texts(['a\tb\r\n'])).toEqual(['a b']);
  });

  it('indexes a line redrawn at the same row once, ignoring ticking digits and spinners', () => {
    const frames = Array.from({ length: 50 }, (_, i) => `\x1b[5;1H\x1b[2K${'⠋⠙⠹⠸'[i % 4]} Thinking… (${i}s)`);
    expect(texts(frames)).toEqual(['⠋ Thinking… (0s)']);
    expect(redrawKey('⠙ Thinking… (12s · esc to interrupt)')).toBe(redrawKey('⠋ Thinking… (3s · esc to interrupt)'));
    // Different text at the same row is a new line; the same text at another row is a redraw too.
    expect(texts(['\x1b[3;1Hfirst', '\x1b[3;1Hsecond', '\x1b[4;1Hfirst'])).toEqual(['first', 'second']);
  });

  it('starts a new screen on a clear or the alternate screen, so the same row means a new line', () => {
    expect(texts(['\x1b[2;1Hhello', '\x1b[2J\x1b[2;1Hworld', '\x1b[?1049h\x1b[2;1Hagain'])).toEqual(['hello', 'world', 'again']);
  });

  it('cuts a line that never ends at 16 KiB', () => {
    const lines = texts(['x'.repeat(40_000)]);
    expect(lines.map((line) => line.length)).toEqual([16_384, 16_384, 7_232]);
  });
});
