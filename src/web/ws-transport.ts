// A WebSocket as a connection's Transport: one binary message per frame (kind byte + payload), the
// bytes still queued counted for the slow-client logic, and malformed or oversized messages closing it.
import type { WebSocket } from 'ws';
import { FrameError, FrameKind, MAX_DATA_CHUNK, decodeMessage, encodeMessage, type Frame } from '../protocol/frames';
import type { ServerMessage } from '../protocol/messages';
import type { Transport } from '../server/connection';

/** A peer that does not finish the closing handshake in this long is cut off. */
const CLOSE_GRACE_MS = 2000;

export interface FrameHandlers {
  frame(frame: Frame): void;
  malformed(message: string): void;
}

export class WebSocketTransport implements Transport {
  /** Bytes handed to ws whose write has not completed yet. */
  private queued = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly ws: WebSocket) {}

  /** Routes incoming messages; text messages and bad frames are protocol errors. */
  listen(handlers: FrameHandlers): void {
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        handlers.malformed('text messages are not part of the protocol; send binary frames');
        return;
      }
      const message = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      let frame: Frame;
      try {
        frame = decodeMessage(message);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        handlers.malformed(error.message);
        return;
      }
      handlers.frame(frame);
    });
  }

  sendControl(message: ServerMessage): void {
    this.send(encodeMessage(FrameKind.Control, JSON.stringify(message)));
  }

  sendOutput(data: Buffer): void {
    for (let offset = 0; offset < data.length; offset += MAX_DATA_CHUNK) {
      this.send(encodeMessage(FrameKind.Output, data.subarray(offset, Math.min(data.length, offset + MAX_DATA_CHUNK))));
    }
  }

  private send(message: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const bytes = message.length;
    this.queued += bytes;
    // ws calls back once the socket has taken the data (or failed): the queue is what is still ours.
    this.ws.send(message, { binary: true }, () => {
      this.queued -= bytes;
      if (this.queued === 0) this.drained();
    });
  }

  bufferedBytes(): number {
    return this.queued;
  }

  onDrain(callback: () => void): void {
    if (this.queued === 0) queueMicrotask(callback);
    else this.drainWaiters.push(callback);
  }

  private drained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
