// Replay keys from raw input: plain keys, arrows in every encoding, and the noise replayed programs cause.
import { describe, expect, it } from 'vitest';
import { ReplayKeys } from '../../src/recording/replay/replay-keys';
import { formatClock, parseDuration } from '../../src/recording/replay/time-format';

const feed = (...chunks: string[]) => {
  const keys = new ReplayKeys();
  return chunks.flatMap((chunk) => keys.feed(Buffer.from(chunk, 'latin1')));
};

describe('replay keys', () => {
  it('maps the plain keys', () => {
    expect(feed(' .+-]q\x03=_Qx')).toEqual(['toggle', 'step', 'faster', 'slower', 'next', 'quit', 'quit', 'faster', 'slower', 'quit']);
  });

  it('reads arrows in normal, application and modified forms', () => {
    expect(feed('\x1b[C\x1b[D\x1bOC\x1bOD\x1b[1;2C\x1b[1;1:1D')).toEqual(['forward', 'back', 'forward', 'back', 'forward', 'back']);
  });

  it('reads kitty keyboard and modifyOtherKeys encodings, ignoring releases and Alt', () => {
    expect(feed('\x1b[32u\x1b[113u\x1b[99;5u\x1b[27;5;99~\x1b[61;2u')).toEqual(['toggle', 'quit', 'quit', 'quit', 'faster']);
    expect(feed('\x1b[32;1:3u\x1b[1;1:3C\x1b[113;3u\x1bq')).toEqual([]);
  });

  it('ignores mouse reports, terminal replies, OSC/DCS strings and pasted text', () => {
    const noise = ['\x1b[<0;12;5M', '\x1b[M q ', '\x1b[?64;1;2c', '\x1b[12;40R', '\x1b[?2026;2$y', '\x1b]11;rgb:0000/0000/0000\x07', '\x1bP>|xterm(1)\x1b\\', '\x1b[I', '\x1b[200~ q.]\x1b[201~'];
    expect(feed(noise.join(''))).toEqual([]);
    expect(feed(`${noise.join('')} `)).toEqual(['toggle']);
  });

  it('keeps a sequence cut between reads, and takes a lone ESC as the Escape key', () => {
    expect(feed('\x1b[', 'C', '\x1b]11;rgb:ff', 'ff/0000/0000\x07q')).toEqual(['forward', 'quit']);
    expect(feed('\x1b', ' ')).toEqual(['toggle']);
  });
});

describe('replay times', () => {
  it('parses seconds, units and clock forms', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('2.5')).toBe(2500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1:30')).toBe(90_000);
    expect(parseDuration('1:02:03.5')).toBe(3_723_500);
    for (const bad of ['', 'x', '1:', '-3', 'm', '1:2:3:4', '5ms']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('formats clock times', () => {
    expect(formatClock(0)).toBe('0:00.0');
    expect(formatClock(90_050)).toBe('1:30.0');
    expect(formatClock(3_723_500)).toBe('1:02:03.5');
  });
});
