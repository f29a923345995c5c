// A unix-socket connection seen as a stream of frames, with byte accounting for backpressure.
import type * as net from 'node:net';
import { FrameDecoder, FrameError, FrameKind, MAX_DATA_CHUNK, encodeFrame, type Frame } from './frames';

export interface FrameHandlers {
  frame(frame: Frame): void;
  /** The peer sent something that is not a valid frame; the socket is closed right after. */
  malformed(error: FrameError): void;
  close(): void;
}

export class FramedSocket {
  private readonly decoder: FrameDecoder;
  private closed = false;

  constructor(
    readonly socket: net.Socket,
    handlers: FrameHandlers,
    maxFrameBytes?: number,
  ) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      let frames: Frame[];
      let malformed: FrameError | undefined;
      try {
        frames = this.decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        frames = error.frames;
        malformed = error;
      }
      for (const frame of frames) {
        if (this.closed) return;
        handlers.frame(frame);
      }
      if (malformed && !this.closed) {
        handlers.malformed(malformed);
        this.close();
      }
    });
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
      handlers.close();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes accepted by write() but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  sendControl(message: object): void {
    this.send(FrameKind.Control, JSON.stringify(message));
  }

  /** Sends terminal bytes, split into frames no larger than MAX_DATA_CHUNK. */
  sendData(kind: FrameKind.Output | FrameKind.Input, data: Buffer): void {
    for (let offset = 0; offset < data.length; offset += MAX_DATA_CHUNK) {
      this.send(kind, data.subarray(offset, Math.min(data.length, offset + MAX_DATA_CHUNK)));
    }
  }

  private send(kind: FrameKind, payload: Buffer | string): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(kind, payload));
  }

  onDrain(callback: () => void): void {
    this.socket.once('drain', callback);
  }

  /** Flushes what is queued, then closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    // A peer that never reads must not keep the socket (and its buffers) alive.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
