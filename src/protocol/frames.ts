// Wire framing shared by the unix socket and the WebSocket: length-prefixed frames of one kind byte + payload.

/** Kinds of frame. Control frames carry JSON; data frames carry raw terminal bytes (never base64). */
export const enum FrameKind {
  Control = 1,
  /** Terminal output, daemon → client. */
  Output = 2,
  /** Terminal input, client → daemon. */
  Input = 3,
}

/** Bytes of the length prefix on the unix socket (the WebSocket has its own message boundaries). */
export const LENGTH_PREFIX_BYTES = 4;

/** Largest frame (kind byte + payload) either side accepts; bigger payloads are split or refused. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Largest data payload written in one frame; output is re-chunked to this. */
export const MAX_DATA_CHUNK = 1024 * 1024;

export interface Frame {
  kind: FrameKind;
  payload: Buffer;
}

/** A frame as sent over the unix socket: [u32 BE length][u8 kind][payload]. */
export function encodeFrame(kind: FrameKind, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + 1 + body.length);
  frame.writeUInt32BE(body.length + 1, 0);
  frame[LENGTH_PREFIX_BYTES] = kind;
  body.copy(frame, LENGTH_PREFIX_BYTES + 1);
  return frame;
}

/** The same frame without the length prefix, as one WebSocket binary message. */
export function encodeMessage(kind: FrameKind, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const message = Buffer.allocUnsafe(1 + body.length);
  message[0] = kind;
  body.copy(message, 1);
  return message;
}

export class FrameError extends Error {
  /** Whole frames that arrived before the bad one, in the same chunk: still the peer's to act on. */
  frames: Frame[] = [];
}

function checkKind(kind: number): FrameKind {
  if (kind !== FrameKind.Control && kind !== FrameKind.Output && kind !== FrameKind.Input) {
    throw new FrameError(`unknown frame kind ${kind}`);
  }
  return kind;
}

/** Parses one WebSocket message (kind byte + payload). */
export function decodeMessage(message: Buffer): Frame {
  if (message.length < 1) throw new FrameError('empty frame');
  if (message.length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${message.length} bytes exceeds the limit`);
  return { kind: checkKind(message[0]!), payload: message.subarray(1) };
}

/**
 * Incremental decoder for the length-prefixed stream. Feed it socket chunks; it yields whole frames
 * and throws FrameError on a malformed or oversized frame (the caller then closes the connection).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    try {
      while (this.buffered >= LENGTH_PREFIX_BYTES) {
        const head = this.peek(LENGTH_PREFIX_BYTES);
        const length = head.readUInt32BE(0);
        if (length < 1) throw new FrameError('empty frame');
        if (length > this.maxFrameBytes) throw new FrameError(`frame of ${length} bytes exceeds the limit`);
        if (this.buffered < LENGTH_PREFIX_BYTES + length) break;
        const whole = this.take(LENGTH_PREFIX_BYTES + length);
        frames.push({ kind: checkKind(whole[LENGTH_PREFIX_BYTES]!), payload: whole.subarray(LENGTH_PREFIX_BYTES + 1) });
      }
    } catch (error) {
      // What arrives before a bad frame must not depend on how the stream was cut into chunks.
      if (error instanceof FrameError) error.frames = frames;
      throw error;
    }
    return frames;
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0]!.length >= bytes) return this.chunks[0]!;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(bytes: number): Buffer {
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= bytes) {
      result = first.subarray(0, bytes);
      if (first.length === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
    } else {
      const all = Buffer.concat(this.chunks);
      result = all.subarray(0, bytes);
      this.chunks = all.length > bytes ? [all.subarray(bytes)] : [];
    }
    this.buffered -= bytes;
    return result;
  }
}
