// A client's connection to the daemon: handshake, typed requests, and the attach stream's messages.
import * as net from 'node:net';
import { CcmuxError } from '../errors';
import { FrameKind } from '../protocol/frames';
import { FramedSocket } from '../protocol/framed-socket';
import { PROTOCOL_VERSION, parseServerMessage, settleResponse, type ServerMessage } from '../protocol/messages';
import { ValidationError } from '../protocol/schema';
import type { RequestInput, RequestName, RequestResults } from '../protocol/requests';
import { VERSION } from '../version';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface StreamHandlers {
  output?(data: Buffer): void;
  message?(message: ServerMessage): void;
  close?(): void;
}

/** A busy daemon's listen queue can be full (EAGAIN): that is "wait a moment", not "no daemon". */
const BUSY_RETRY_MS = 10_000;

async function openSocket(socketPath: string): Promise<net.Socket> {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const candidate = net.createConnection(socketPath);
        candidate.once('connect', () => {
          candidate.removeListener('error', reject);
          resolve(candidate);
        });
        candidate.once('error', reject);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export class DaemonConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stream: StreamHandlers = {};
  private closedError: Error | undefined;
  private readonly framed: FramedSocket;
  daemonPid = 0;
  daemonVersion = '';

  private constructor(socket: net.Socket, private readonly socketPath: string) {
    this.framed = new FramedSocket(socket, {
      frame: (frame) => {
        if (frame.kind === FrameKind.Output) this.stream.output?.(frame.payload);
        else if (frame.kind === FrameKind.Control) this.onControl(frame.payload);
      },
      malformed: (error) => this.fail(new CcmuxError('protocol', `daemon sent a malformed frame: ${error.message}`)),
      close: () => {
        this.fail(new CcmuxError('unavailable', 'the daemon closed the connection'));
        this.stream.close?.();
      },
    });
  }

  /** Connects and completes the handshake. Rejects with the socket error code when nothing listens. */
  static async connect(socketPath: string): Promise<DaemonConnection> {
    const socket = await openSocket(socketPath);
    const connection = new DaemonConnection(socket, socketPath);
    await connection.handshake();
    return connection;
  }

  private handshake(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.set(0, {
        resolve: (welcome) => {
          const message = welcome as Extract<ServerMessage, { type: 'welcome' }>;
          this.daemonPid = message.pid;
          this.daemonVersion = message.version;
          resolve();
        },
        reject,
      });
      this.framed.sendControl({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'cli', version: VERSION });
    });
  }

  private onControl(payload: Buffer): void {
    let message: ServerMessage;
    try {
      message = parseServerMessage(payload);
    } catch (error) {
      // Thrown from a socket event it would crash the client: fail the requests and hang up instead.
      if (!(error instanceof ValidationError)) throw error;
      this.fail(new CcmuxError('protocol', error.message));
      this.framed.close();
      return;
    }
    this.onMessage(message);
  }

  private onMessage(message: ServerMessage): void {
    if (message.type === 'welcome') {
      const pending = this.pending.get(0);
      this.pending.delete(0);
      if (message.protocol !== PROTOCOL_VERSION) {
        pending?.reject(
          new CcmuxError(
            'protocol',
            `the running daemon speaks protocol ${message.protocol} (ccmux ${message.version}), this client ${PROTOCOL_VERSION} (ccmux ${VERSION}); restart it with \`ccmux kill-server\``,
          ),
        );
        return;
      }
      pending?.resolve(message);
      return;
    }
    if (message.type === 'response') {
      settleResponse(this.pending, message, (error) => new CcmuxError(error.code, error.message));
      return;
    }
    this.stream.message?.(message);
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  request<K extends RequestName>(command: K, args: RequestInput<K>): Promise<RequestResults[K]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.framed.sendControl({ type: 'request', id, command, args });
    });
  }

  /** Receives the attach stream (output frames and uncorrelated messages). */
  setStreamHandlers(handlers: StreamHandlers): void {
    this.stream = handlers;
  }

  sendInput(data: Buffer): void {
    this.framed.sendData(FrameKind.Input, data);
  }

  sendControl(message: { type: 'attach-resize'; cols: number; rows: number } | { type: 'detach' }): void {
    this.framed.sendControl(message);
  }

  /** Stops reading output until resume(): lets a slow terminal push back on the daemon. */
  pause(): void {
    this.framed.socket.pause();
  }

  resume(): void {
    this.framed.socket.resume();
  }

  get path(): string {
    return this.socketPath;
  }

  close(): void {
    this.framed.close();
  }
}
