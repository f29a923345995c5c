// PrefixKeys: what reaches the session and when attach detaches, for legacy, kitty CSI-u and modifyOtherKeys input.
import { describe, expect, it } from 'vitest';
import { PrefixKeys, type PrefixAction } from '../../src/client/prefix-keys';

const C_A = 0x01;
const C_B = 0x02;
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/** Feeds each chunk in turn; returns the session's input (as latin1 text, adjacent inputs joined) and commands. */
function run(keys: PrefixKeys, ...chunks: (string | Buffer)[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) {
    const actions: PrefixAction[] = keys.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    for (const action of actions) {
      if (action.type === 'detach') out.push('<detach>');
      else if (out.length && !out[out.length - 1]!.startsWith('<')) out[out.length - 1] += action.data.toString('latin1');
      else out.push(action.data.toString('latin1'));
    }
  }
  return out;
}

describe('PrefixKeys with legacy input', () => {
  it('passes plain input through as the very same buffer', () => {
    const keys = new PrefixKeys(C_B);
    for (const text of ['ls -l\r', '\x1b[A\x1b[B', 'é世界😀', '\x03\x04', PASTE_START + 'x' + PASTE_END]) {
      const data = Buffer.from(text);
      const actions = keys.feed(data);
      expect(actions).toHaveLength(1);
      expect((actions[0] as { data: Buffer }).data).toBe(data);
    }
  });

  it('detaches on prefix d, after delivering what came before, and drops what follows', () => {
    expect(run(new PrefixKeys(C_B), 'echo hi\x02d ignored')).toEqual(['echo hi', '<detach>']);
    expect(run(new PrefixKeys(C_B), '\x02d')).toEqual(['<detach>']);
  });

  it('sends one prefix byte for prefix prefix, and keeps going', () => {
    expect(run(new PrefixKeys(C_B), 'a\x02\x02b')).toEqual(['a\x02b']);
    expect(run(new PrefixKeys(C_B), '\x02\x02\x02\x02')).toEqual(['\x02\x02']);
  });

  it('remembers a prefix at the end of one read for the next', () => {
    const keys = new PrefixKeys(C_B);
    expect(run(keys, 'x\x02')).toEqual(['x']);
    expect(run(keys, 'd')).toEqual(['<detach>']);
    const again = new PrefixKeys(C_B);
    expect(run(again, '\x02', '\x02', 'y')).toEqual(['\x02y']);
  });

  it('swallows an unbound key after the prefix, whole', () => {
    expect(run(new PrefixKeys(C_B), 'a\x02xb')).toEqual(['ab']);
    expect(run(new PrefixKeys(C_B), '\x02\x1b[Aq')).toEqual(['q']);
    expect(run(new PrefixKeys(C_B), '\x02\x1bOPq')).toEqual(['q']);
    expect(run(new PrefixKeys(C_B), '\x02\x1b[5~q')).toEqual(['q']);
    expect(run(new PrefixKeys(C_B), Buffer.concat([Buffer.from('\x02'), Buffer.from('é!')]))).toEqual(['!']);
    expect(run(new PrefixKeys(C_B), Buffer.from('\x02😀!'))).toEqual(['!']);
    expect(run(new PrefixKeys(C_B), '\x02\x1b[<0;3;4Mq')).toEqual(['q']);
  });

  it('does not detach on Alt-d after the prefix', () => {
    expect(run(new PrefixKeys(C_B), '\x02\x1bdz')).toEqual(['z']);
    expect(run(new PrefixKeys(C_B), '\x02\x1b\x1b[Az')).toEqual(['z']);
  });

  it('keeps UTF-8 text around the prefix intact', () => {
    const keys = new PrefixKeys(C_B);
    const text = Buffer.concat([Buffer.from('héllo '), Buffer.from([C_B, C_B]), Buffer.from('wörld ✓')]);
    const [input] = run(keys, text);
    expect(Buffer.from(input!, 'latin1').toString('utf8')).toBe('héllo \x02wörld ✓');
  });

  it('gives the same result however the input is split, when no escape sequence is cut', () => {
    const stream = 'ab\x02\x02cd\x02xé\x02\x02f\x02d';
    const whole = run(new PrefixKeys(C_B), Buffer.from(stream));
    expect(whole).toEqual([Buffer.from('ab\x02cdé\x02f').toString('latin1'), '<detach>']);
    const bytes = Buffer.from(stream);
    for (let cut = 0; cut <= bytes.length; cut++) {
      if (bytes[cut] !== undefined && (bytes[cut]! & 0xc0) === 0x80) continue; // Inside a UTF-8 character.
      expect(run(new PrefixKeys(C_B), bytes.subarray(0, cut), bytes.subarray(cut)), `split at ${cut}`).toEqual(whole);
    }
  });

  it('uses another prefix when configured', () => {
    expect(run(new PrefixKeys(C_A), 'x\x02y\x01d')).toEqual(['x\x02y', '<detach>']);
    expect(run(new PrefixKeys(C_A), '\x01\x01')).toEqual(['\x01']);
    expect(run(new PrefixKeys(0x00), 'a\x00d')).toEqual(['a', '<detach>']);
    expect(run(new PrefixKeys(0x1d), '\x1dd')).toEqual(['<detach>']);
  });

  it('treats a bracketed paste as text even when it contains the prefix, across reads', () => {
    expect(run(new PrefixKeys(C_B), `${PASTE_START}a\x02db${PASTE_END}`)).toEqual([`${PASTE_START}a\x02db${PASTE_END}`]);
    const keys = new PrefixKeys(C_B);
    expect(run(keys, `${PASTE_START}one`, '\x02d', `${PASTE_END}\x02d`)).toEqual([`${PASTE_START}one\x02d${PASTE_END}`, '<detach>']);
  });
});

describe('PrefixKeys with kitty keyboard protocol input', () => {
  it('recognises the prefix as CSI-u, and d as a letter or as CSI-u', () => {
    expect(run(new PrefixKeys(C_B), '\x1b[98;5ud')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[100u')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[100;1:1u')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[100;;100u')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5:1u', '\x1b[100u')).toEqual(['<detach>']);
  });

  it('ignores lock modifiers but not shift or alt', () => {
    expect(run(new PrefixKeys(C_B), '\x1b[98;133u\x1b[100;129u')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;6ud')).toEqual(['\x1b[98;6ud']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;7ud')).toEqual(['\x1b[98;7ud']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[100;2u')).toEqual([]);
  });

  it('sends the prefix key as the program asked for it on prefix prefix', () => {
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[98;5ux')).toEqual(['\x1b[98;5ux']);
  });

  it('waits through key releases and bare modifier keys after the prefix (report event types / all keys)', () => {
    // Ctrl down, b down (prefix), b up, Ctrl up, d down, d up.
    const events = '\x1b[57442;5u\x1b[98;5u\x1b[98;5:3u\x1b[57442;1:3u\x1b[100u\x1b[100;1:3u';
    expect(run(new PrefixKeys(C_B), events)).toEqual(['\x1b[57442;5u\x1b[57442;1:3u', '<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u', '\x1b[98;5:3u', '\x1b[100u')).toEqual(['<detach>']);
  });

  it('swallows an unbound key after the prefix together with its release', () => {
    expect(run(new PrefixKeys(C_B), '\x1b[98;5u\x1b[98;5:3u\x1b[120u', '\x1b[120;1:3ua')).toEqual(['a']);
  });

  it('passes other keys and their releases through', () => {
    const keys = new PrefixKeys(C_B);
    const data = Buffer.from('\x1b[97u\x1b[97;1:3u\x1b[99;5u\x1b[13u');
    const actions = keys.feed(data);
    expect(actions).toEqual([{ type: 'input', data }]);
    expect((actions[0] as { data: Buffer }).data).toBe(data);
  });

  it('recognises the prefix of another letter and C-space', () => {
    expect(run(new PrefixKeys(C_A), '\x1b[98;5u\x1b[97;5ud')).toEqual(['\x1b[98;5u', '<detach>']);
    expect(run(new PrefixKeys(0x00), '\x1b[32;5ud')).toEqual(['<detach>']);
    expect(run(new PrefixKeys(0x1d), '\x1b[93;5ud')).toEqual(['<detach>']);
  });

  it("recognises xterm's modifyOtherKeys form of the prefix", () => {
    expect(run(new PrefixKeys(C_B), 'x\x1b[27;5;98~d')).toEqual(['x', '<detach>']);
    expect(run(new PrefixKeys(C_B), '\x1b[27;5;97~')).toEqual(['\x1b[27;5;97~']);
  });
});
