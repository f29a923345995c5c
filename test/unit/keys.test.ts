// tmux key names to the bytes a terminal sends, application cursor mode, and prefix key validation.
import { describe, expect, it } from 'vitest';
import { CcmuxError } from '../../src/errors';
import { controlKeyChar, controlName, keyBytes, prefixByte } from '../../src/keys';

describe('keyBytes', () => {
  it('maps named keys, case-insensitively, with their tmux aliases', () => {
    const expected: Record<string, string> = {
      Enter: '\r',
      Tab: '\t',
      BTab: '\x1b[Z',
      Escape: '\x1b',
      Space: ' ',
      BSpace: '\x7f',
      Up: '\x1b[A',
      Down: '\x1b[B',
      Right: '\x1b[C',
      Left: '\x1b[D',
      Home: '\x1b[H',
      End: '\x1b[F',
      PageUp: '\x1b[5~',
      PPage: '\x1b[5~',
      PgUp: '\x1b[5~',
      NPage: '\x1b[6~',
      PageDown: '\x1b[6~',
      PgDn: '\x1b[6~',
      IC: '\x1b[2~',
      Insert: '\x1b[2~',
      DC: '\x1b[3~',
      Delete: '\x1b[3~',
    };
    for (const [name, bytes] of Object.entries(expected)) {
      expect(keyBytes(name), name).toBe(bytes);
      expect(keyBytes(name.toLowerCase()), name.toLowerCase()).toBe(bytes);
      expect(keyBytes(name.toUpperCase()), name.toUpperCase()).toBe(bytes);
    }
  });

  it('maps F1–F12 as xterm sends them', () => {
    const fkeys = ['\x1bOP', '\x1bOQ', '\x1bOR', '\x1bOS', '\x1b[15~', '\x1b[17~', '\x1b[18~', '\x1b[19~', '\x1b[20~', '\x1b[21~', '\x1b[23~', '\x1b[24~'];
    fkeys.forEach((bytes, index) => expect(keyBytes(`F${index + 1}`)).toBe(bytes));
  });

  it('maps C-a … C-z to 0x01 … 0x1a, whatever the letter case', () => {
    for (let code = 0x61; code <= 0x7a; code++) {
      const letter = String.fromCharCode(code);
      expect(keyBytes(`C-${letter}`)).toBe(String.fromCharCode(code - 0x60));
      expect(keyBytes(`C-${letter.toUpperCase()}`)).toBe(String.fromCharCode(code - 0x60));
      expect(keyBytes(`c-${letter}`)).toBe(String.fromCharCode(code - 0x60));
    }
  });

  it('maps the other control keys', () => {
    expect(keyBytes('C-space')).toBe('\x00');
    expect(keyBytes('C-Space')).toBe('\x00');
    expect(keyBytes('C-@')).toBe('\x00');
    expect(keyBytes('C-[')).toBe('\x1b');
    expect(keyBytes('C-\\')).toBe('\x1c');
    expect(keyBytes('C-]')).toBe('\x1d');
    expect(keyBytes('C-^')).toBe('\x1e');
    expect(keyBytes('C-_')).toBe('\x1f');
    expect(keyBytes('C-?')).toBe('\x7f');
  });

  it('prefixes ESC for meta, alone or with control, in either order', () => {
    expect(keyBytes('M-x')).toBe('\x1bx');
    expect(keyBytes('M-X')).toBe('\x1bX');
    expect(keyBytes('M-Enter')).toBe('\x1b\r');
    expect(keyBytes('M--')).toBe('\x1b-');
    expect(keyBytes('C-M-a')).toBe('\x1b\x01');
    expect(keyBytes('M-C-a')).toBe('\x1b\x01');
    expect(keyBytes('C-M-space')).toBe('\x1b\x00');
  });

  it('passes a single character through, including non-ASCII', () => {
    expect(keyBytes('a')).toBe('a');
    expect(keyBytes('-')).toBe('-');
    expect(keyBytes('é')).toBe('é');
    expect(keyBytes('😀')).toBe('😀');
  });

  it('sends arrows, Home and End as SS3 in application cursor mode, and nothing else changes', () => {
    const app = { applicationCursorKeys: true };
    expect(keyBytes('Up', app)).toBe('\x1bOA');
    expect(keyBytes('Down', app)).toBe('\x1bOB');
    expect(keyBytes('Right', app)).toBe('\x1bOC');
    expect(keyBytes('Left', app)).toBe('\x1bOD');
    expect(keyBytes('Home', app)).toBe('\x1bOH');
    expect(keyBytes('End', app)).toBe('\x1bOF');
    expect(keyBytes('M-Up', app)).toBe('\x1b\x1bOA');
    expect(keyBytes('PageUp', app)).toBe('\x1b[5~');
    expect(keyBytes('BTab', app)).toBe('\x1b[Z');
    expect(keyBytes('Enter', app)).toBe('\r');
    expect(keyBytes('Up', { applicationCursorKeys: false })).toBe('\x1b[A');
  });

  it('refuses unknown names with a usage error that names the key', () => {
    for (const name of ['Foo', 'F13', 'C-Enter', 'C-', 'X-a', 'ab', '', 'C-1', '👍🏽']) {
      let error: unknown;
      try {
        keyBytes(name);
      } catch (caught) {
        error = caught;
      }
      expect(error, name).toBeInstanceOf(CcmuxError);
      expect((error as CcmuxError).code).toBe('usage');
      expect((error as CcmuxError).message).toContain(`"${name}"`);
    }
  });
});

describe('prefixByte', () => {
  it('accepts control keys and returns their byte', () => {
    expect(prefixByte('C-b')).toBe(0x02);
    expect(prefixByte('C-a')).toBe(0x01);
    expect(prefixByte('C-space')).toBe(0x00);
    expect(prefixByte('C-]')).toBe(0x1d);
  });

  it('refuses printable keys, sequences, meta keys and Escape, naming the key', () => {
    for (const name of ['a', 'Space', 'Up', 'F1', 'M-a', 'C-M-b', 'BSpace', 'Escape', 'C-[']) {
      expect(() => prefixByte(name), name).toThrow(CcmuxError);
      expect(() => prefixByte(name), name).toThrow(`"${name}"`);
    }
    expect(() => prefixByte('nope')).toThrow(/unknown key name "nope"/);
  });
});

describe('controlName', () => {
  it('names control bytes the way keyBytes reads them back', () => {
    for (let byte = 0; byte < 0x20; byte++) {
      expect(keyBytes(controlName(byte)).charCodeAt(0), controlName(byte)).toBe(byte);
    }
    expect(controlName(0x02)).toBe('C-b');
    expect(controlName(0x00)).toBe('C-space');
    expect(controlName(0x1c)).toBe('C-\\');
    expect(controlKeyChar(0x1d)).toBe(']');
    expect(controlKeyChar(0x7f)).toBe('?');
  });
});
