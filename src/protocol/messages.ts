// Control messages of the wire protocol: the handshake, requests and responses, and attach-stream messages.
import { ValidationError, anything, integer, object, oneOf, optional, string } from './schema';
import { REQUEST_ARGS, RequestName } from './requests';

/** Bumped on any incompatible change; the handshake refuses a mismatch with a clear message. */
export const PROTOCOL_VERSION = 1;

export type ErrorCode =
  | 'not-found'
  | 'ambiguous'
  | 'exists'
  | 'bad-request'
  | 'invalid-state'
  | 'too-large'
  | 'denied'
  | 'protocol'
  | 'unavailable'
  | 'internal';

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type DetachReason = 'client' | 'others' | 'exited' | 'removed' | 'server-exit';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** Messages a client sends. */
export type ClientMessage =
  | { type: 'hello'; protocol: number; client: string; version: string }
  | { type: 'request'; id: number; command: RequestName; args: unknown }
  | { type: 'attach-resize'; cols: number; rows: number }
  | { type: 'detach' };

/** Messages the daemon sends. */
export type ServerMessage =
  | { type: 'welcome'; protocol: number; version: string; pid: number }
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: WireError }
  | { type: 'attach-end'; reason: DetachReason; session: string; exit?: ExitInfo }
  /** A notification for the user, to show on the attached terminal as that terminal understands. */
  | { type: 'notify'; title: string; body: string }
  | { type: 'event'; event: unknown }
  /** The end of a `tail --follow` stream: the session ended, or the client fell too far behind. */
  | { type: 'tail-end'; reason: 'exited' | 'behind'; exit?: ExitInfo };

export type ResponseMessage = Extract<ServerMessage, { type: 'response' }>;

export interface PendingRequest {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Settles the request a response answers, by id (a client's side; unknown ids are ignored). */
export function settleResponse(pending: Map<number, PendingRequest>, response: ResponseMessage, failure: (error: WireError) => Error): void {
  const request = pending.get(response.id);
  if (!request) return;
  pending.delete(response.id);
  if (response.ok) request.resolve(response.result);
  else request.reject(failure(response.error));
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

const hello = object({ type: string(), protocol: integer(0, 1 << 30), client: string({ max: 64 }), version: string({ max: 64 }) });
const request = object({
  type: string(),
  id: integer(0, Number.MAX_SAFE_INTEGER),
  command: oneOf(Object.keys(REQUEST_ARGS) as RequestName[]),
  args: optional(anything()),
});
const attachResize = object({ type: string(), cols: integer(1, 10_000), rows: integer(1, 10_000) });
const detach = object({ type: string() });

/** Validates one control frame from an untrusted client. Throws ValidationError. */
export function parseClientMessage(payload: Buffer): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ValidationError('control frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('control frame is not a JSON object');
  const type = (value as { type?: unknown }).type;
  switch (type) {
    case 'hello':
      return { ...hello.parse(value, 'hello'), type };
    case 'request':
      return { ...request.parse(value, 'request'), type, args: (value as { args?: unknown }).args ?? {} };
    case 'attach-resize':
      return { ...attachResize.parse(value, 'attach-resize'), type };
    case 'detach':
      return { ...detach.parse(value, 'detach'), type };
    default:
      throw new ValidationError(`unknown control message type ${JSON.stringify(type)}`);
  }
}

/** Daemon messages are trusted more than client ones but still shape-checked before use. */
export function parseServerMessage(payload: Buffer): ServerMessage {
  let value: ServerMessage;
  try {
    value = JSON.parse(payload.toString('utf8')) as ServerMessage;
  } catch {
    throw new ValidationError('daemon sent a malformed control frame (not JSON)');
  }
  if (typeof value !== 'object' || value === null || typeof value.type !== 'string') {
    throw new ValidationError('daemon sent a malformed control frame');
  }
  return value;
}
