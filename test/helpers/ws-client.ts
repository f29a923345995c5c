// A protocol-level WebSocket client for tests: any headers (Host, Origin, Cookie, Authorization), raw
// messages, and the frames it got — to check both the happy path and every refusal.
import WebSocket from 'ws';
import { FrameKind, decodeMessage, encodeMessage, type Frame } from '../../src/protocol/frames';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';
import { waitUntil } from './wait-until';

export interface WsOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  host?: string;
  path?: string;
  protocols?: string[];
}

export interface Refusal {
  status: number;
}

interface Response {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export class WsClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.frames.push(decodeMessage(Buffer.from(data)));
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString('utf8') }));
    ws.on('error', () => undefined);
  }

  /** Opens `ws://…/ws` (or wss) and resolves once open; rejects with a Refusal when the upgrade is refused. */
  static open(base: string, options: WsOptions = {}): Promise<WsClient> {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.Cookie = options.cookie;
    if (options.host) headers.Host = options.host;
    const url = `${base.replace(/^http/, 'ws').replace(/\/$/, '')}${options.path ?? '/ws'}`;
    const ws = new WebSocket(url, options.protocols ?? [], { headers, ...(options.origin ? { origin: options.origin } : {}), rejectUnauthorized: false });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('unexpected-response', (_request, response) => {
        reject({ status: response.statusCode ?? 0 } satisfies Refusal);
        ws.terminate();
      });
      ws.once('error', (error) => reject(error));
    });
  }

  /** The HTTP status an upgrade with these options is refused with (fails if it is accepted). */
  static async refusal(base: string, options: WsOptions = {}): Promise<number> {
    try {
      const client = await WsClient.open(base, options);
      client.close();
    } catch (error) {
      if (typeof (error as Refusal).status === 'number') return (error as Refusal).status;
      throw error;
    }
    throw new Error('the upgrade was accepted');
  }

  send(message: object): void {
    this.ws.send(encodeMessage(FrameKind.Control, JSON.stringify(message)));
  }

  sendRaw(data: Buffer | string, binary = true): void {
    this.ws.send(data, { binary });
  }

  input(text: string): void {
    this.ws.send(encodeMessage(FrameKind.Input, Buffer.from(text, 'utf8')));
  }

  controls(): Record<string, unknown>[] {
    return this.frames.filter((frame) => frame.kind === FrameKind.Control).map((frame) => JSON.parse(frame.payload.toString('utf8')));
  }

  output(): string {
    return Buffer.concat(this.frames.filter((frame) => frame.kind === FrameKind.Output).map((frame) => frame.payload)).toString('utf8');
  }

  async hello(): Promise<void> {
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'test', version: 'test' });
    await waitUntil('the welcome', () => this.controls().some((message) => message.type === 'welcome'));
  }

  /** Sends a request and waits for its response. */
  async request(command: string, args: object = {}): Promise<Response> {
    const id = this.nextId++;
    this.send({ type: 'request', id, command, args });
    return waitUntil(`the response to ${command}`, () => this.controls().find((message) => message.type === 'response' && message.id === id) as Response | undefined);
  }

  async ok<T>(command: string, args: object = {}): Promise<T> {
    const response = await this.request(command, args);
    if (!response.ok) throw new Error(`${command} failed: ${JSON.stringify(response.error)}`);
    return response.result as T;
  }

  async waitClosed(description = 'the daemon to close the WebSocket'): Promise<{ code: number; reason: string }> {
    return waitUntil(description, () => this.closed);
  }

  close(): void {
    this.ws.close();
  }
}
