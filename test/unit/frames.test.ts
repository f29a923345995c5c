// FrameDecoder and the frame/message codecs: any chunking of the stream yields the same frames; bad input throws FrameError.
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  FrameError,
  FrameKind,
  LENGTH_PREFIX_BYTES,
  MAX_FRAME_BYTES,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  type Frame,
} from '../../src/protocol/frames';

const FRAMES: Frame[] = [
  { kind: FrameKind.Control, payload: Buffer.from('{"type":"hello"}') },
  { kind: FrameKind.Output, payload: Buffer.from([0x1b, 0x5b, 0x48, 0x00, 0xff, 0xe2, 0x94]) },
  { kind: FrameKind.Input, payload: Buffer.alloc(0) },
  { kind: FrameKind.Output, payload: Buffer.from('héllo ✓ 世界') },
];
const STREAM = Buffer.concat(FRAMES.map((frame) => encodeFrame(frame.kind, frame.payload)));

function plain(frames: Frame[]): { kind: number; payload: string }[] {
  return frames.map((frame) => ({ kind: frame.kind, payload: frame.payload.toString('hex') }));
}

/** A raw length-prefixed frame with any header, for malformed input. */
function rawFrame(length: number, kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(LENGTH_PREFIX_BYTES + 1);
  head.writeUInt32BE(length, 0);
  head[LENGTH_PREFIX_BYTES] = kind;
  return Buffer.concat([head, payload]);
}

describe('encodeFrame', () => {
  it('writes a big-endian length of kind byte + payload, then the kind, then the payload', () => {
    expect(encodeFrame(FrameKind.Output, 'abc')).toEqual(Buffer.from([0, 0, 0, 4, FrameKind.Output, 0x61, 0x62, 0x63]));
    expect(encodeFrame(FrameKind.Input, Buffer.alloc(0))).toEqual(Buffer.from([0, 0, 0, 1, FrameKind.Input]));
  });

  it('encodes strings as UTF-8', () => {
    const frame = encodeFrame(FrameKind.Control, '✓');
    expect(frame.readUInt32BE(0)).toBe(4);
    expect(frame.subarray(5).toString('utf8')).toBe('✓');
  });
});

describe('FrameDecoder', () => {
  it('decodes many frames from one chunk, in order', () => {
    expect(plain(new FrameDecoder().push(STREAM))).toEqual(plain(FRAMES));
  });

  it('decodes the same frames when the stream is split at every byte boundary', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(STREAM.subarray(0, cut)), ...decoder.push(STREAM.subarray(cut))];
      expect(plain(frames), `split at ${cut}`).toEqual(plain(FRAMES));
    }
  });

  it('decodes the same frames when fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    for (const byte of STREAM) frames.push(...decoder.push(Buffer.from([byte])));
    expect(plain(frames)).toEqual(plain(FRAMES));
  });

  it('decodes the same frames split into three pieces at every pair of boundaries', () => {
    for (let first = 0; first <= STREAM.length; first += 3) {
      for (let second = first; second <= STREAM.length; second += 2) {
        const decoder = new FrameDecoder();
        const frames = [STREAM.subarray(0, first), STREAM.subarray(first, second), STREAM.subarray(second)].flatMap((chunk) => decoder.push(chunk));
        expect(plain(frames), `split at ${first} and ${second}`).toEqual(plain(FRAMES));
      }
    }
  });

  it('returns nothing until a frame is complete', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame(FrameKind.Output, 'abcdef');
    expect(decoder.push(frame.subarray(0, 3))).toEqual([]);
    expect(decoder.push(frame.subarray(3, frame.length - 1))).toEqual([]);
    expect(plain(decoder.push(frame.subarray(frame.length - 1)))).toEqual([{ kind: FrameKind.Output, payload: Buffer.from('abcdef').toString('hex') }]);
  });

  it('accepts a frame of exactly the limit and refuses one byte more', () => {
    const payload = Buffer.alloc(99, 0x61);
    expect(new FrameDecoder(100).push(encodeFrame(FrameKind.Output, payload))[0]!.payload.length).toBe(99);
    expect(() => new FrameDecoder(100).push(encodeFrame(FrameKind.Output, Buffer.alloc(100)))).toThrow(FrameError);
  });

  it('refuses an oversized length as soon as the header arrives, before buffering the payload', () => {
    const header = Buffer.alloc(LENGTH_PREFIX_BYTES);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    expect(() => new FrameDecoder().push(header)).toThrow(/exceeds the limit/);
    header.writeUInt32BE(0xffffffff, 0);
    expect(() => new FrameDecoder().push(header)).toThrow(FrameError);
  });

  it('refuses a zero length', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0]))).toThrow(/empty frame/);
  });

  it('refuses an unknown kind, naming it', () => {
    expect(() => new FrameDecoder().push(rawFrame(1, 0))).toThrow(/unknown frame kind 0/);
    expect(() => new FrameDecoder().push(rawFrame(3, 9, Buffer.from('hi')))).toThrow(/unknown frame kind 9/);
    expect(() => new FrameDecoder().push(rawFrame(1, 0))).toThrow(FrameError);
  });

  it('refuses a bad frame that follows good ones in the same chunk, handing over the good ones', () => {
    const decoder = new FrameDecoder();
    let error: unknown;
    try {
      decoder.push(Buffer.concat([encodeFrame(FrameKind.Input, 'ok'), encodeFrame(FrameKind.Control, '{}'), rawFrame(1, 42)]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect(plain((error as FrameError).frames)).toEqual(plain([
      { kind: FrameKind.Input, payload: Buffer.from('ok') },
      { kind: FrameKind.Control, payload: Buffer.from('{}') },
    ]));
  });
});

describe('WebSocket messages', () => {
  it('round-trips every kind, with binary, empty and text payloads', () => {
    for (const frame of FRAMES) {
      const message = encodeMessage(frame.kind, frame.payload);
      expect(message[0]).toBe(frame.kind);
      expect(plain([decodeMessage(message)])).toEqual(plain([frame]));
    }
    expect(decodeMessage(encodeMessage(FrameKind.Control, '{"a":"✓"}')).payload.toString('utf8')).toBe('{"a":"✓"}');
  });

  it('is a frame without its length prefix', () => {
    expect(encodeMessage(FrameKind.Output, 'xyz')).toEqual(encodeFrame(FrameKind.Output, 'xyz').subarray(LENGTH_PREFIX_BYTES));
  });

  it('refuses an empty message, an unknown kind and an oversized message', () => {
    expect(() => decodeMessage(Buffer.alloc(0))).toThrow(/empty frame/);
    expect(() => decodeMessage(Buffer.from([7, 1, 2]))).toThrow(/unknown frame kind 7/);
    expect(() => decodeMessage(Buffer.alloc(MAX_FRAME_BYTES + 1, FrameKind.Output))).toThrow(/exceeds the limit/);
    expect(decodeMessage(Buffer.alloc(MAX_FRAME_BYTES, FrameKind.Output)).payload.length).toBe(MAX_FRAME_BYTES - 1);
  });
});
