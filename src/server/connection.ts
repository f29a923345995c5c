// One client connection to the daemon: handshake, requests, and — after attach — the terminal stream.
import { CcmuxError, describeError } from '../errors';
import { FrameKind, type Frame } from '../protocol/frames';
import {
  PROTOCOL_VERSION,
  assertNever,
  parseClientMessage,
  type ClientMessage,
  type DetachReason,
  type ErrorCode,
  type ExitInfo,
  type ServerMessage,
} from '../protocol/messages';
import { READ_ONLY_REQUESTS, type RequestName } from '../protocol/requests';
import { ValidationError } from '../protocol/schema';
import { VERSION } from '../version';
import type { AttachedClient, ClientSink } from './attached-client';
import type { Logger } from './logger';
import { dispatchRequest, type DaemonServices, type RequestContext } from './request-handlers';
import type { Session } from './session';

/** The transport under a connection: a unix socket or a WebSocket. */
export interface Transport {
  sendControl(message: ServerMessage): void;
  sendOutput(data: Buffer): void;
  bufferedBytes(): number;
  onDrain(callback: () => void): void;
  close(): void;
}

/** Limits what a connection may ask beyond read-only (web credentials limited to one session). */
export interface RequestGuard {
  /** Throws to refuse a request; returns the arguments to run it with (e.g. narrowed to one session). */
  check(command: RequestName, args: unknown): unknown;
  /** Narrows a result to what the client may see. */
  filter(command: RequestName, result: unknown): unknown;
}

export interface ConnectionOptions {
  /** Only read-only requests, no input or resize (read-only web tokens). */
  readOnly?: boolean;
  guard?: RequestGuard;
}

const WIRE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'not-found',
  'ambiguous',
  'exists',
  'bad-request',
  'invalid-state',
  'too-large',
  'denied',
  'protocol',
  'unavailable',
  'internal',
]);

let nextConnectionId = 1;

export class Connection implements ClientSink {
  readonly id = nextConnectionId++;
  private greeted = false;
  private attachment: { session: Session; client: AttachedClient } | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly transport: Transport,
    private readonly services: DaemonServices,
    private readonly log: Logger,
    private readonly options: ConnectionOptions = {},
  ) {}

  onFrame(frame: Frame): void {
    try {
      switch (frame.kind) {
        case FrameKind.Control:
          this.onMessage(parseClientMessage(frame.payload));
          return;
        case FrameKind.Input:
          this.onInput(frame.payload);
          return;
        case FrameKind.Output:
          throw new ValidationError('clients do not send output frames');
        default:
          assertNever(frame.kind);
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.protocolError(error.message);
    }
  }

  /** The peer broke the protocol: tell it why (best effort) and hang up. */
  protocolError(message: string): void {
    this.log.warn(`connection ${this.id}: ${message}; closing it`);
    this.transport.sendControl({ type: 'response', id: 0, ok: false, error: { code: 'protocol', message } });
    this.transport.close();
  }

  private onMessage(message: ClientMessage): void {
    if (!this.greeted && message.type !== 'hello') throw new ValidationError('expected hello first');
    switch (message.type) {
      case 'hello':
        this.greeted = true;
        // Always answer with our version; the client decides whether it can talk to us.
        this.transport.sendControl({ type: 'welcome', protocol: PROTOCOL_VERSION, version: VERSION, pid: process.pid });
        if (message.protocol !== PROTOCOL_VERSION) this.transport.close();
        return;
      case 'request':
        void this.onRequest(message.id, message.command, message.args);
        return;
      case 'attach-resize':
        if (this.attachment && !this.attachment.client.readOnly) {
          this.attachment.session.clientResized(this.attachment.client, message.cols, message.rows);
        }
        return;
      case 'detach':
        this.endAttachment('client');
        return;
      default:
        assertNever(message);
    }
  }

  private onInput(data: Buffer): void {
    const attachment = this.attachment;
    if (!attachment || attachment.client.readOnly) return;
    attachment.session.input(attachment.client, data);
  }

  private async onRequest(id: number, command: RequestName, rawArgs: unknown): Promise<void> {
    try {
      if (this.options.readOnly && !READ_ONLY_REQUESTS.has(command)) {
        throw new CcmuxError('denied', `${command} is not allowed with a read-only token`);
      }
      if (command === 'attach' && this.attachment) throw new CcmuxError('invalid-state', 'this connection is already attached');
      const guard = this.options.guard;
      const args = guard ? guard.check(command, rawArgs) : rawArgs;
      const forced = command === 'attach' && this.options.readOnly ? { readOnly: true } : undefined;
      const result = await dispatchRequest(command, forced ? { ...(args as object), ...forced } : args, this.requestContext(), this.services);
      this.transport.sendControl({ type: 'response', id, ok: true, result: guard ? guard.filter(command, result) : result });
    } catch (error) {
      this.transport.sendControl({ type: 'response', id, ok: false, error: this.wireError(command, error) });
    }
  }

  private wireError(command: RequestName, error: unknown): { code: ErrorCode; message: string } {
    if (error instanceof ValidationError) return { code: 'bad-request', message: error.message };
    if (error instanceof CcmuxError) {
      const code = error.code === 'usage' ? 'bad-request' : WIRE_CODES.has(error.code) ? (error.code as ErrorCode) : 'internal';
      return { code, message: error.message };
    }
    this.log.error(`${command} failed: ${error instanceof Error ? error.stack : describeError(error)}`);
    return { code: 'internal', message: `${command} failed: ${describeError(error)}` };
  }

  private requestContext(): RequestContext {
    return {
      sink: this,
      closed: this.abort.signal,
      attached: (session, client) => {
        this.attachment = { session, client };
      },
      send: (message) => this.transport.sendControl(message),
    };
  }

  private endAttachment(reason: DetachReason): void {
    const attachment = this.attachment;
    if (!attachment) return;
    attachment.session.detach(attachment.client, reason);
  }

  /** The transport closed: leave the session and stop anything waiting on our behalf. */
  closed(): void {
    this.abort.abort();
    if (this.attachment) this.attachment.session.detach(this.attachment.client, 'client');
    this.attachment = undefined;
  }

  // ClientSink, used by the session while attached.
  sendOutput(data: Buffer): void {
    this.transport.sendOutput(data);
  }

  bufferedBytes(): number {
    return this.transport.bufferedBytes();
  }

  onDrain(callback: () => void): void {
    this.transport.onDrain(callback);
  }

  /** The session this connection is attached to, if any. */
  get attachedSession(): Session | undefined {
    return this.attachment?.session;
  }

  notify(title: string, body: string): void {
    this.transport.sendControl({ type: 'notify', title, body });
  }

  attachEnded(reason: DetachReason, exit?: ExitInfo): void {
    const session = this.attachment?.session.name ?? '';
    this.attachment = undefined;
    this.transport.sendControl(exit ? { type: 'attach-end', reason, session, exit } : { type: 'attach-end', reason, session });
  }
}
