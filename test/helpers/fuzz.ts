// A seeded protocol fuzzer: random, truncated, oversized and garbage frames against any transport
// (the unix socket and the WebSocket, through the same `FuzzTransport` interface).
import * as net from 'node:net';
import WebSocket from 'ws';
import { FrameDecoder, FrameKind, LENGTH_PREFIX_BYTES, MAX_FRAME_BYTES, encodeFrame, encodeMessage } from '../../src/protocol/frames';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';
import { waitUntil } from './wait-until';

/** Deterministic PRNG (mulberry32): a failing seed replays exactly. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }
}

/** One logical connection, whatever carries it. */
export interface FuzzConnection {
  /** A well-formed frame of `kind` (any number, valid or not) carrying `payload`. */
  sendFrame(kind: number, payload: Buffer): void;
  /** Transport-level garbage: bytes that are not a frame (or not a whole one). */
  sendGarbage(bytes: Buffer): void;
  /** A frame that announces more than the limit; the transport decides how (length prefix, WS header). */
  sendOversized(): void;
  /** The start of a frame whose end never comes; the caller closes the connection next. */
  sendTruncated(kind: number, payload: Buffer): void;
  /** Control messages received so far (parsed JSON). */
  readonly controls: Record<string, unknown>[];
  readonly closed: boolean;
  close(): void;
}

export interface FuzzTransport {
  readonly name: string;
  connect(): Promise<FuzzConnection>;
}

/** The daemon's unix socket: [u32 BE length][u8 kind][payload]. */
export function unixTransport(socketPath: string): FuzzTransport {
  return {
    name: 'unix socket',
    connect: () =>
      new Promise((resolve, reject) => {
        const socket = net.createConnection(socketPath);
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.removeListener('error', reject);
          resolve(new UnixFuzzConnection(socket));
        });
      }),
  };
}

class UnixFuzzConnection implements FuzzConnection {
  readonly controls: Record<string, unknown>[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        if (frame.kind === FrameKind.Control) this.controls.push(JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>);
      }
    });
    socket.on('error', () => (this.closed = true));
    socket.on('close', () => (this.closed = true));
  }

  sendFrame(kind: number, payload: Buffer): void {
    this.socket.write(encodeFrame(kind as FrameKind, payload));
  }

  sendGarbage(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  sendOversized(): void {
    const head = Buffer.alloc(LENGTH_PREFIX_BYTES + 1);
    head.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    head[LENGTH_PREFIX_BYTES] = FrameKind.Control;
    this.socket.write(head);
  }

  sendTruncated(kind: number, payload: Buffer): void {
    const whole = encodeFrame(kind as FrameKind, payload);
    this.socket.write(whole.subarray(0, Math.max(1, whole.length - 1 - Math.floor(payload.length / 2))));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** What one case expects: an error (response or close), or — for frames valid by design — an answer to the probe. */
type Expect = 'error' | 'close' | 'any';

interface FuzzCase {
  kind: string;
  /** Needs a connection that has not said hello yet. */
  fresh: boolean;
  expect: Expect;
  /** Request id whose response must be an error (or the connection closed). */
  requestId?: number;
  /** The case leaves the connection unusable (truncated frame): we close it ourselves. */
  abandon?: boolean;
  run(connection: FuzzConnection): void;
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Sessions a request may name (a live one makes attach, send, peek reach real code). */
  sessions: string[];
  /** Concurrent connections. */
  lanes?: number;
  /** Per case: how long the daemon may take to answer or close. */
  caseTimeoutMs?: number;
}

export interface FuzzReport {
  transport: string;
  seed: number;
  cases: number;
  byKind: Record<string, number>;
  outcomes: { errorResponse: number; closed: number; answered: number };
  connections: number;
}

/** Commands a fuzzed request may use: nothing that stops the daemon, ends sessions, blocks or reads files. */
const COMMANDS = ['status', 'ls', 'has', 'peek', 'send', 'resize', 'mark', 'mute', 'notify', 'agent-hook', 'attach', 'plugins'] as const;
const KEY_NAMES = ['Enter', 'C-c', 'Escape', 'Up', 'F1', 'M-x', 'Tab', 'NoSuchKey', '', 'C-', '\u0000'];

/** Values that break naive validators: wrong types, huge, nested, prototype keys, odd numbers. */
function junkValue(random: Random, depth = 0): unknown {
  switch (random.int(0, 13)) {
    case 0:
      return null;
    case 1:
      return random.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53, -(2 ** 31), 65536, 1e-9]);
    case 2:
      return random.bytes(random.int(0, 40)).toString('latin1');
    case 3:
      return 'x'.repeat(random.pick([0, 1, 64, 65, 129, 4097, 70_000]));
    case 4:
      return random.chance(0.5);
    case 5:
      return depth > 3 ? [] : Array.from({ length: random.int(0, 5) }, () => junkValue(random, depth + 1));
    case 6:
      return depth > 3 ? {} : junkObject(random, depth + 1);
    case 7:
      return '\ud800\udfff\u0000\u001b[2J\u009b';
    case 8:
      return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    case 9:
      return random.pick(['../../etc/passwd', '/dev/zero', 'SIGKILL', 'KILL', 'exit', 'match', '.*', '(a+)+$']);
    case 10:
      return random.int(-5, 3000);
    case 11:
      return KEY_NAMES;
    case 12:
      return ['A'.repeat(33)];
    default:
      return undefined;
  }
}

function junkObject(random: Random, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = random.int(0, 4); i > 0; i--) object[random.pick(['session', 'cols', 'rows', 'text', 'keys', 'x', '__proto__', 'toString', ''])] = junkValue(random, depth);
  return object;
}

/** Plausible arguments for a command, then randomly broken: most become bad requests, some stay valid. */
function requestArgs(random: Random, command: string, sessions: string[]): Record<string, unknown> {
  const session = random.chance(0.6) ? random.pick(sessions) : random.pick(['nope', '', 'x'.repeat(200), 'a', '-', '..']);
  const base: Record<string, Record<string, unknown>> = {
    status: {},
    ls: {},
    plugins: {},
    has: { session },
    peek: { session, ansi: random.chance(0.5), scrollback: random.int(0, 100) },
    send: { session, text: random.bytes(random.int(0, 64)).toString('utf8'), keys: [random.pick(KEY_NAMES)], enter: random.chance(0.5) },
    resize: { session, cols: random.int(1, 2001), rows: random.int(1, 1001) },
    mark: { session, label: random.bytes(random.int(0, 32)).toString('utf8') },
    mute: { session, muted: random.chance(0.5) },
    notify: { title: random.bytes(random.int(0, 16)).toString('utf8'), body: 'b', exceptSession: session },
    'agent-hook': { session, event: junkObject(random, 0) },
    attach: { session, readOnly: random.chance(0.5), cols: random.int(1, 300), rows: random.int(1, 100) },
  };
  const args: Record<string, unknown> = { ...base[command] };
  for (let i = random.int(0, 3); i > 0; i--) {
    const key = random.chance(0.7) ? random.pick(Object.keys(args).concat('unknown')) : random.pick(['__proto__', 'constructor', 'session']);
    if (random.chance(0.3)) delete args[key];
    else args[key] = junkValue(random);
  }
  return args;
}

function makeCase(random: Random, options: FuzzOptions, nextId: () => number): FuzzCase {
  const roll = random.int(0, 99);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
  if (random.chance(0.001)) {
    // Near the frame limit: a send far over its own limit must be refused, not typed.
    const id = nextId();
    const message = { type: 'request', id, command: 'send', args: { session: random.pick(options.sessions), text: 'y'.repeat(MAX_FRAME_BYTES - 200) } };
    return { kind: 'huge-send', fresh: false, expect: 'error', requestId: id, run: (c) => c.sendFrame(FrameKind.Control, json(message)) };
  }
  if (roll < 40) {
    // A request with broken or random arguments on a greeted connection: an answer, never 'internal'.
    const id = nextId();
    const command = random.chance(0.95) ? random.pick(COMMANDS) : random.pick(['kill-server!', '', 'new ', 'Status', '__proto__']);
    const message: Record<string, unknown> = { type: 'request', id, command, args: requestArgs(random, command, options.sessions) };
    const valid = COMMANDS.includes(command as (typeof COMMANDS)[number]);
    return { kind: valid ? 'request' : 'unknown-command', fresh: false, expect: valid ? 'any' : 'close', requestId: id, run: (c) => c.sendFrame(FrameKind.Control, json(message)) };
  }
  if (roll < 52) {
    // Control messages that are not what the protocol says: wrong types, missing fields, not objects.
    const bodies: unknown[] = [
      { type: 'attach-resize', cols: junkValue(random), rows: junkValue(random) },
      { type: 'detach', extra: junkValue(random) },
      { type: random.pick(['welcome', 'response', 'event', 'HELLO', 42, null]), id: 1 },
      { type: 'request', id: junkValue(random), command: 'status' },
      { type: 'request', id: -1, command: 'ls' },
      junkValue(random),
      [1, 2, 3],
      'hello',
    ];
    const index = random.int(0, bodies.length - 1);
    const body = bodies[index];
    // The first four may happen to be well-formed (a resize or detach while not attached is a no-op).
    return { kind: 'bad-control', fresh: false, expect: index < 4 ? 'any' : 'close', run: (c) => c.sendFrame(FrameKind.Control, json(body)) };
  }
  if (roll < 62) {
    // Control payloads that are not JSON, or not UTF-8, or JSON cut short.
    const text = JSON.stringify({ type: 'request', id: 1, command: 'ls', args: {} });
    const payload = random.pick([
      random.bytes(random.int(0, 200)),
      Buffer.from(text.slice(0, random.int(0, text.length - 1))),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
      Buffer.from('[' .repeat(random.int(1, 100_000))),
      Buffer.alloc(0),
    ]);
    return { kind: 'not-json', fresh: false, expect: 'close', run: (c) => c.sendFrame(FrameKind.Control, payload) };
  }
  if (roll < 70) {
    // Unknown frame kinds, and output frames (only the daemon sends those).
    const kind = random.pick([0, 2, 4, 7, 127, 128, 255]);
    return { kind: 'bad-kind', fresh: false, expect: 'close', run: (c) => c.sendFrame(kind, random.bytes(random.int(0, 64))) };
  }
  if (roll < 78) {
    // Input while not attached is ignored (by design); garbage input bytes must not reach anything.
    return { kind: 'stray-input', fresh: false, expect: 'any', run: (c) => c.sendFrame(FrameKind.Input, random.bytes(random.int(0, 4096))) };
  }
  if (roll < 85) {
    // Before the handshake: anything but hello closes; a bad hello closes.
    const hello = { type: 'hello', protocol: junkValue(random), client: junkValue(random), version: 'x' };
    const message = random.chance(0.5) ? hello : { type: 'request', id: 1, command: 'ls', args: {} };
    return { kind: 'no-handshake', fresh: true, expect: 'close', run: (c) => c.sendFrame(FrameKind.Control, json(message)) };
  }
  if (roll < 92) {
    // Raw bytes that are not a frame at all: a zero length, or a huge one.
    const bytes = random.chance(0.5) ? Buffer.concat([Buffer.from([0, 0, 0, 0]), random.bytes(random.int(0, 32))]) : Buffer.concat([Buffer.from([0xff, random.int(0, 255), 0, 0]), random.bytes(8)]);
    return { kind: 'garbage', fresh: random.chance(0.5), expect: 'close', run: (c) => c.sendGarbage(bytes) };
  }
  if (roll < 97) {
    // A frame that never ends: the daemon must just wait, then free it when we hang up.
    return { kind: 'truncated', fresh: random.chance(0.3), expect: 'any', abandon: true, run: (c) => c.sendTruncated(FrameKind.Control, json({ type: 'request', id: 5, command: 'ls', args: {} })) };
  }
  return { kind: 'oversized', fresh: random.chance(0.3), expect: 'close', run: (c) => c.sendOversized() };
}

/** Runs `options.cases` cases over `lanes` connections at once; throws on the first case that breaks the contract. */
export async function fuzz(transport: FuzzTransport, options: FuzzOptions): Promise<FuzzReport> {
  const random = new Random(options.seed);
  const lanes = options.lanes ?? 4;
  const timeoutMs = options.caseTimeoutMs ?? 10_000;
  let id = 1000;
  const nextId = () => id++;
  const cases = Array.from({ length: options.cases }, () => makeCase(random, options, nextId));
  const report: FuzzReport = { transport: transport.name, seed: options.seed, cases: 0, byKind: {}, outcomes: { errorResponse: 0, closed: 0, answered: 0 }, connections: 0 };
  let next = 0;

  const lane = async () => {
    let connection: FuzzConnection | undefined;
    let greeted = false;
    const open = async (greet: boolean) => {
      connection?.close();
      connection = await transport.connect();
      report.connections++;
      greeted = false;
      if (!greet) return;
      connection.sendFrame(FrameKind.Control, Buffer.from(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'fuzz', version: '0' })));
      const c = connection;
      await waitUntil('the welcome', () => c.controls.some((m) => m.type === 'welcome') || c.closed, { timeoutMs, intervalMs: 1 });
      if (c.closed) throw new Error(`${transport.name}: the daemon closed a connection that said hello`);
      greeted = true;
    };
    while (next < cases.length) {
      const index = next++;
      const fuzzCase = cases[index]!;
      if (fuzzCase.fresh) await open(false);
      else if (!connection || connection.closed || !greeted) await open(true);
      const c = connection!;
      const seen = c.controls.length;
      fuzzCase.run(c);
      report.cases++;
      report.byKind[fuzzCase.kind] = (report.byKind[fuzzCase.kind] ?? 0) + 1;
      if (fuzzCase.abandon) {
        c.close();
        connection = undefined;
        report.outcomes.closed++;
        continue;
      }
      // A probe after the case: answered means the connection still works (and frames stayed in step).
      const probeId = nextId();
      if (!fuzzCase.fresh) c.sendFrame(FrameKind.Control, Buffer.from(JSON.stringify({ type: 'request', id: probeId, command: 'status', args: {} })));
      const describe = () => `case #${index} (${fuzzCase.kind}, seed ${options.seed}) on ${transport.name}; replies: ${JSON.stringify(c.controls.slice(seen)).slice(0, 500)}`;
      await waitUntil(
        `an answer or a close for ${describe()}`,
        () => {
          if (c.closed) return true;
          const replies = c.controls.slice(seen);
          if (fuzzCase.fresh) return replies.some((m) => m.type === 'welcome');
          // Requests answer asynchronously: the fuzzed one may come after the probe.
          const answered = (want: number) => replies.some((m) => m.type === 'response' && m.id === want);
          return answered(probeId) && (fuzzCase.requestId === undefined || answered(fuzzCase.requestId));
        },
        { timeoutMs, intervalMs: 1, detail: describe },
      );
      const replies = c.controls.slice(seen);
      const internal = replies.find((m) => m.ok === false && (m.error as { code?: string } | undefined)?.code === 'internal');
      if (internal) throw new Error(`internal error: ${JSON.stringify(internal)} for ${describe()}`);
      if (fuzzCase.requestId !== undefined && !c.closed) {
        const answer = replies.find((m) => m.type === 'response' && m.id === fuzzCase.requestId);
        if (!answer) throw new Error(`no answer to the fuzzed request for ${describe()}`);
        if (fuzzCase.expect === 'error' && answer.ok !== false) throw new Error(`a request over its limit was accepted: ${describe()}`);
        if (answer.ok === false) report.outcomes.errorResponse++;
        else report.outcomes.answered++;
      } else if (c.closed) {
        report.outcomes.closed++;
        if (fuzzCase.expect === 'close' && !replies.some((m) => m.ok === false) && !fuzzCase.fresh) {
          // A close without a word is allowed only when the peer's bytes were unreadable.
          if (fuzzCase.kind !== 'garbage' && fuzzCase.kind !== 'oversized') throw new Error(`closed without an error for ${describe()}`);
        }
      } else if (fuzzCase.fresh && replies.some((m) => m.type === 'welcome')) {
        // A junk hello that happened to be a valid one.
        report.outcomes.answered++;
      } else {
        if (fuzzCase.expect === 'close') throw new Error(`the daemon accepted a bad frame: ${describe()}`);
        report.outcomes.answered++;
      }
      if (fuzzCase.fresh) {
        c.close();
        connection = undefined;
      }
    }
    connection?.close();
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return report;
}

/** The daemon's WebSocket: one binary message per frame ([u8 kind][payload]), authenticated with a token. */
export function webSocketTransport(home: { ok(args: string[]): Promise<string> }): FuzzTransport {
  let endpoint: Promise<{ url: string; token: string }> | undefined;
  const start = async () => {
    const web = JSON.parse(await home.ok(['web', '--json'])) as { url: string };
    const { token } = JSON.parse(await home.ok(['token', '--json'])) as { token: string };
    return { url: web.url.replace(/^http/, 'ws').replace(/\/$/, '/ws'), token };
  };
  return {
    name: 'WebSocket',
    connect: async () => {
      const { url, token } = await (endpoint ??= start());
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(url, [], { headers: { Authorization: `Bearer ${token}` } });
        ws.once('open', () => resolve(new WebSocketFuzzConnection(ws)));
        ws.once('error', reject);
      });
    },
  };
}

class WebSocketFuzzConnection implements FuzzConnection {
  readonly controls: Record<string, unknown>[] = [];
  closed = false;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const message = Buffer.from(data);
      if (message[0] === FrameKind.Control) this.controls.push(JSON.parse(message.subarray(1).toString('utf8')) as Record<string, unknown>);
    });
    ws.on('error', () => (this.closed = true));
    ws.on('close', () => (this.closed = true));
  }

  private send(data: Buffer | string, binary = true): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  sendFrame(kind: number, payload: Buffer): void {
    this.send(encodeMessage(kind as FrameKind, payload));
  }

  /** Garbage both inside well-formed WebSocket messages (binary or text) and in the TCP stream itself. */
  sendGarbage(bytes: Buffer): void {
    if (bytes.length % 3 === 0) (this.ws as unknown as { _socket: import('node:net').Socket })._socket.write(bytes);
    else this.send(bytes.length % 3 === 1 ? bytes : bytes.toString('latin1'), bytes.length % 3 === 1);
  }

  sendOversized(): void {
    this.send(Buffer.alloc(MAX_FRAME_BYTES + 1));
  }

  /** A ccmux frame cut short inside a complete WebSocket message. */
  sendTruncated(kind: number, payload: Buffer): void {
    const whole = encodeMessage(kind as FrameKind, payload);
    this.send(whole.subarray(0, Math.max(1, whole.length - 1 - Math.floor(payload.length / 2))));
  }

  close(): void {
    this.ws.terminate();
  }
}
