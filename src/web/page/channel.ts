// The page's WebSocket to the daemon: the same protocol as the unix socket (one binary message per frame),
// typed requests, and reconnection by itself — `opened` runs again on every new socket (re-subscribe, re-attach).
import { FrameKind } from '../../protocol/frames';
import { PROTOCOL_VERSION, settleResponse, type PendingRequest, type ServerMessage } from '../../protocol/messages';
import type { RequestInput, RequestName, RequestResults } from '../../protocol/requests';
import { VERSION } from '../../version';

export type ChannelState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ChannelHandlers {
  /** A new socket completed the handshake: (re)establish what this channel is for. */
  opened(): Promise<void> | void;
  output?(data: Uint8Array): void;
  message?(message: ServerMessage): void;
  state?(state: ChannelState): void;
}

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 5000;
/** A request unanswered this long means the connection is dead even if the socket has not noticed. */
const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;

const encoder = new TextEncoder();

export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

export class Channel {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private pending = new Map<number, PendingRequest>();
  private attempts = 0;
  private stopped = false;
  private timer: number | undefined;
  private heartbeat: number | undefined;
  current: ChannelState = 'connecting';

  constructor(
    private readonly handlers: ChannelHandlers,
    /** A cheap request whose answer proves the connection alive. */
    private readonly probe: (channel: Channel) => Promise<unknown>,
  ) {
    this.connect();
  }

  private setState(state: ChannelState): void {
    this.current = state;
    this.handlers.state?.(state);
  }

  private connect(): void {
    const ws = new WebSocket(socketUrl());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let welcomed = false;
    ws.onopen = () => this.sendControl({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'web', version: VERSION });
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      const bytes = new Uint8Array(event.data);
      if (bytes[0] === FrameKind.Output) {
        this.handlers.output?.(bytes.subarray(1));
        return;
      }
      if (bytes[0] !== FrameKind.Control) return;
      const message = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as ServerMessage;
      if (message.type === 'welcome') {
        welcomed = true;
        this.attempts = 0;
        this.setState('open');
        void Promise.resolve(this.handlers.opened()).catch((error: unknown) => console.error('ccmux:', error));
        return;
      }
      if (message.type === 'response') {
        settleResponse(this.pending, message, (error) => new RequestError(error.code, error.message));
        return;
      }
      this.handlers.message?.(message);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      window.clearInterval(this.heartbeat);
      for (const pending of this.pending.values()) pending.reject(new RequestError('unavailable', 'connection lost'));
      this.pending.clear();
      if (this.stopped) return;
      if (!welcomed) this.attempts++;
      this.setState('reconnecting');
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.attempts, 5));
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
    window.clearInterval(this.heartbeat);
    this.heartbeat = window.setInterval(() => this.checkAlive(ws), HEARTBEAT_MS);
  }

  /** Failed attempts in a row (a refused login looks like a dead network to a WebSocket). */
  get failures(): number {
    return this.attempts;
  }

  private checkAlive(ws: WebSocket): void {
    if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
    const deadline = window.setTimeout(() => ws.close(), HEARTBEAT_TIMEOUT_MS);
    this.probe(this).then(
      () => window.clearTimeout(deadline),
      () => window.clearTimeout(deadline),
    );
  }

  request<K extends RequestName>(command: K, args: RequestInput<K>): Promise<RequestResults[K]> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new RequestError('unavailable', 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.sendControl({ type: 'request', id, command, args });
    });
  }

  sendControl(message: object): void {
    this.send(FrameKind.Control, encoder.encode(JSON.stringify(message)));
  }

  sendInput(data: Uint8Array): void {
    this.send(FrameKind.Input, data);
  }

  private send(kind: FrameKind, payload: Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const message = new Uint8Array(payload.length + 1);
    message[0] = kind;
    message.set(payload, 1);
    ws.send(message);
  }

  /** Stops for good: no more reconnecting. */
  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    window.clearInterval(this.heartbeat);
    this.ws?.close();
    this.ws = undefined;
    this.setState('closed');
  }
}
