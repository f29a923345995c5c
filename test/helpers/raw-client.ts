// A protocol-level client for tests that need to misbehave (never read, send garbage) or see raw frames.
import * as net from 'node:net';
import { FrameDecoder, FrameKind, encodeFrame, type Frame } from '../../src/protocol/frames';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';

export class RawClient {
  readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder();
  readonly frames: Frame[] = [];
  outputBytes = 0;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      for (const frame of this.decoder.push(chunk)) {
        if (frame.kind === FrameKind.Output) this.outputBytes += frame.payload.length;
        this.frames.push(frame);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static connect(socketPath: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: object): void {
    this.socket.write(encodeFrame(FrameKind.Control, JSON.stringify(message)));
  }

  hello(): void {
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'test', version: 'test' });
  }

  request(id: number, command: string, args: object): void {
    this.send({ type: 'request', id, command, args });
  }

  controls(): Record<string, unknown>[] {
    return this.frames.filter((frame) => frame.kind === FrameKind.Control).map((frame) => JSON.parse(frame.payload.toString('utf8')));
  }

  output(): string {
    return Buffer.concat(this.frames.filter((frame) => frame.kind === FrameKind.Output).map((frame) => frame.payload)).toString('utf8');
  }

  close(): void {
    this.socket.destroy();
  }
}
