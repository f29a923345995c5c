// CsiClamp: stepwise CSI counts are capped to the screen, whatever the chunking; everything else passes as is.
import { describe, expect, it } from 'vitest';
import { CsiClamp } from '../../src/mirror/csi-clamp';
import { Screen } from '../../src/mirror/screen';
import { Random } from '../helpers/fuzz';
import { tortureBytes } from '../helpers/torture';

const size = () => ({ cols: 80, rows: 24 });

function filterInChunks(input: Buffer, cuts: number[]): Buffer {
  const clamp = new CsiClamp(size);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(clamp.filter(input.subarray(at, cut)));
    at = cut;
  }
  return Buffer.concat(out);
}

describe('CsiClamp', () => {
  it('caps the counts of stepwise commands to the screen and leaves the rest alone', () => {
    const cases: [string, string][] = [
      ['\x1b[2147483647S', '\x1b[24S'],
      ['\x1b[99999999999999999999L', '\x1b[24L'],
      ['a\x1b[4294967296b', 'a\x1b[1920b'],
      ['\x1b[65535I\x1b[65535Z', '\x1b[80I\x1b[80Z'],
      ['\xc2\x9b9999M', '\xc2\x9b24M'],
      ['\x1b[12S\x1b[5b', '\x1b[12S\x1b[5b'],
      ['\x1b[?2147483647S', '\x1b[?2147483647S'],
      ['\x1b[38;2;255;0;0m\x1b[99999;99999H', '\x1b[38;2;255;0;0m\x1b[99999;99999H'],
      ['\x1b[9999\x1b[9999S', '\x1b[9999\x1b[24S'],
      ['plain text, no escapes', 'plain text, no escapes'],
    ];
    for (const [input, expected] of cases) {
      expect(Buffer.from(new CsiClamp(size).filter(Buffer.from(input, 'latin1'))).toString('latin1'), JSON.stringify(input)).toBe(expected);
    }
  });

  it('gives the same bytes however the stream is cut, and returns untouched chunks as they are', () => {
    const input = tortureBytes(7, 200_000);
    const whole = filterInChunks(input, []);
    const random = new Random(3);
    for (let round = 0; round < 20; round++) {
      const cuts = Array.from({ length: random.int(1, 400) }, () => random.int(0, input.length)).sort((a, b) => a - b);
      expect(filterInChunks(input, cuts).equals(whole)).toBe(true);
    }
    const plain = Buffer.from('\x1b[1mbold\x1b[0m and \x1b[12S');
    expect(new CsiClamp(size).filter(plain)).toBe(plain);
  });

  it('keeps the mirror fast on counts that would take xterm.js minutes', async () => {
    const screen = new Screen(80, 24, 1000);
    const started = performance.now();
    for (const sequence of ['a\x1b[2147483647b', '\x1b[2147483647L', '\x1b[2147483647M', '\x1b[2147483647S', '\x1b[2147483647T', '\x1b[2147483647I', '\x1b[2147483647Z']) {
      screen.write(Buffer.from(sequence));
    }
    await screen.settled();
    expect(performance.now() - started).toBeLessThan(2000);
    screen.dispose();
  });
});
