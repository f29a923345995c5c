// The text-index trigram filter: never rules out a block a literal occurs in (any case where folded), rules out
// most blocks it does not occur in, and older blocks without a filter still read.
import { describe, expect, it } from 'vitest';
import { Codec } from '../../src/store/codec';
import { StoredLineBlock, decodeLineBlock, encodeLineBlock } from '../../src/store/record-format';
import { buildTrigramFilter, filterMayContain, patternTrigrams } from '../../src/store/trigram-filter';

let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const words = ['Build', 'passed', 'ERROR', 'timeout', 'fetch', 'user', 'Straße', '漢字', 'émoji', 'retry', 'commit', 'id='];
const line = () => Array.from({ length: 8 }, () => words[Math.floor(random() * words.length)]! + Math.floor(random() * 1000)).join(' ');

describe('trigram filter', () => {
  const text = Array.from({ length: 800 }, line).join('\n');
  const filter = buildTrigramFilter(Buffer.from(text, 'utf8'));

  it('passes every substring of the text, in any ASCII case, and sizes itself to the text', () => {
    for (let at = 0; at + 12 < text.length; at += 7) {
      const piece = text.slice(at, at + 3 + (at % 10));
      expect(filterMayContain(filter, patternTrigrams(piece, false) ?? [])).toBe(true);
      expect(filterMayContain(filter, patternTrigrams(piece.replace(/[a-z]/g, (letter) => letter.toUpperCase()), true) ?? [])).toBe(true);
    }
    expect(filter.length).toBeLessThanOrEqual(8192);
    expect(buildTrigramFilter(Buffer.from('tiny')).length).toBe(64);
  });

  it('rules out most blocks a literal is not in', () => {
    let passed = 0;
    for (let index = 0; index < 1000; index++) {
      const absent = `zq${Math.floor(random() * 1e9).toString(36)}x`;
      if (filterMayContain(filter, patternTrigrams(absent, false)!)) passed++;
    }
    expect(passed).toBeLessThan(20);
  });

  it('cannot tell for patterns under three bytes, and skips non-ASCII trigrams when case-blind', () => {
    expect(patternTrigrams('ab', false)).toBeUndefined();
    expect(patternTrigrams('ÉÉ', true)).toBeUndefined();
    expect(patternTrigrams('STRAẞE', true)).toEqual(patternTrigrams('stra', true));
  });

  it('stores the filter in the block; blocks without one (format 1) still decode', () => {
    const lines = [
      { time: 1, offset: 0, text: 'first line' },
      { time: 2, offset: 11, text: 'second: 漢字' },
    ];
    const block = encodeLineBlock(lines, Codec.Gzip);
    const stored = new StoredLineBlock(block);
    expect(filterMayContain(stored.filter!, patternTrigrams('second', false)!)).toBe(true);
    expect(decodeLineBlock(block).text).toBe('first line\nsecond: 漢字');
    // Format 1: [1][codec][0 0][count] then the compressed payload, no filter.
    const filterBytes = block.readUInt32LE(8);
    const old = Buffer.concat([Buffer.from([1, Codec.Gzip, 0, 0]), block.subarray(4, 8), block.subarray(12 + filterBytes)]);
    expect(new StoredLineBlock(old).filter).toBeUndefined();
    const decoded = decodeLineBlock(old);
    expect(decoded.text).toBe('first line\nsecond: 漢字');
    expect([...decoded.offsets]).toEqual([0, 11]);
  });
});
