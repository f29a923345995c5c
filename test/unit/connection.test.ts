// DaemonConnection against a scripted daemon on a real unix socket: handshake, requests, attach stream, failures.
import type * as net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonConnection } from '../../src/client/connection';
import { CcmuxError } from '../../src/errors';
import { FrameKind, encodeFrame, type Frame } from '../../src/protocol/frames';
import { FramedSocket } from '../../src/protocol/framed-socket';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages';
import { SocketServer } from '../helpers/socket-pair';
import { waitUntil } from '../helpers/wait-until';

let server: SocketServer;
const connections: DaemonConnection[] = [];

beforeEach(async () => {
  server = await SocketServer.start();
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await server.stop();
});

/** The daemon's end of one connection: what the client sent, and a way to answer. */
class FakeDaemon {
  readonly received: Frame[] = [];
  readonly framed: FramedSocket;

  constructor(readonly socket: net.Socket) {
    this.framed = new FramedSocket(socket, { frame: (frame) => this.received.push(frame), malformed: () => {}, close: () => {} });
  }

  /** Control messages received so far, parsed. */
  messages(): Record<string, unknown>[] {
    return this.received.filter((frame) => frame.kind === FrameKind.Control).map((frame) => JSON.parse(frame.payload.toString()));
  }

  async nextMessage(index: number): Promise<Record<string, unknown>> {
    return waitUntil(`client message ${index}`, () => this.messages()[index]);
  }

  send(message: ServerMessage): void {
    this.framed.sendControl(message);
  }

  welcome(protocol = PROTOCOL_VERSION): void {
    this.send({ type: 'welcome', protocol, version: '9.9.9', pid: 4242 });
  }
}

/** Connects a client and returns it with the daemon side, after a completed handshake. */
async function connected(): Promise<{ connection: DaemonConnection; daemon: FakeDaemon }> {
  const accepted = server.next();
  const connecting = DaemonConnection.connect(server.path);
  const daemon = new FakeDaemon(await accepted);
  expect(await daemon.nextMessage(0)).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'cli' });
  daemon.welcome();
  const connection = await connecting;
  connections.push(connection);
  return { connection, daemon };
}

async function rejection(promise: Promise<unknown>): Promise<CcmuxError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CcmuxError);
  return error as CcmuxError;
}

describe('DaemonConnection', () => {
  it('completes the handshake and learns the daemon pid and version', async () => {
    const { connection } = await connected();
    expect(connection.daemonPid).toBe(4242);
    expect(connection.daemonVersion).toBe('9.9.9');
    expect(connection.path).toBe(server.path);
  });

  it('refuses a daemon that speaks another protocol, naming both versions', async () => {
    const accepted = server.next();
    const connecting = DaemonConnection.connect(server.path);
    const daemon = new FakeDaemon(await accepted);
    await daemon.nextMessage(0);
    daemon.welcome(PROTOCOL_VERSION + 1);
    const error = await rejection(connecting);
    expect(error.code).toBe('protocol');
    expect(error.message).toContain(`protocol ${PROTOCOL_VERSION + 1}`);
    expect(error.message).toContain('kill-server');
  });

  it('rejects with the socket error when nothing listens', async () => {
    await expect(DaemonConnection.connect(`${server.dir}/nobody.sock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('matches responses to requests by id, in any order, and turns errors into CcmuxError', async () => {
    const { connection, daemon } = await connected();
    const ls = connection.request('ls', {});
    const has = connection.request('has', { session: 'web' });
    const rm = connection.request('rm', { session: 'nope' });
    const [first, second, third] = [await daemon.nextMessage(1), await daemon.nextMessage(2), await daemon.nextMessage(3)];
    expect(first).toEqual({ type: 'request', id: 1, command: 'ls', args: {} });
    expect(second).toEqual({ type: 'request', id: 2, command: 'has', args: { session: 'web' } });
    daemon.send({ type: 'response', id: 3, ok: false, error: { code: 'not-found', message: 'no session named "nope"' } });
    daemon.send({ type: 'response', id: 2, ok: true, result: { name: 'web' } });
    daemon.send({ type: 'response', id: 99, ok: true, result: 'stray' });
    daemon.send({ type: 'response', id: 1, ok: true, result: [] });
    expect(await ls).toEqual([]);
    expect(await has).toEqual({ name: 'web' });
    const error = await rejection(rm);
    expect([error.code, error.message]).toEqual(['not-found', 'no session named "nope"']);
    expect(third).toMatchObject({ id: 3 });
  });

  it('hands output frames and uncorrelated messages to the stream handlers, and sends input and control', async () => {
    const { connection, daemon } = await connected();
    const output: string[] = [];
    const messages: ServerMessage[] = [];
    connection.setStreamHandlers({ output: (data) => output.push(data.toString()), message: (message) => messages.push(message) });
    daemon.framed.sendData(FrameKind.Output, Buffer.from('screen bytes'));
    daemon.send({ type: 'attach-end', reason: 'exited', session: 'web', exit: { code: 3, signal: null } });
    await waitUntil('the attach end', () => messages.length === 1);
    expect(output).toEqual(['screen bytes']);
    expect(messages[0]).toEqual({ type: 'attach-end', reason: 'exited', session: 'web', exit: { code: 3, signal: null } });

    connection.sendInput(Buffer.from('ls\r'));
    connection.sendControl({ type: 'attach-resize', cols: 90, rows: 20 });
    await waitUntil('input and resize', () => daemon.received.length === 3);
    expect(daemon.received[1]).toMatchObject({ kind: FrameKind.Input, payload: Buffer.from('ls\r') });
    expect(await daemon.nextMessage(1)).toEqual({ type: 'attach-resize', cols: 90, rows: 20 });
  });

  it('fails pending and later requests once the daemon hangs up, and tells the stream', async () => {
    const { connection, daemon } = await connected();
    let closed = false;
    connection.setStreamHandlers({ close: () => (closed = true) });
    const pending = connection.request('status', {});
    await daemon.nextMessage(1);
    daemon.socket.destroy();
    const error = await rejection(pending);
    expect(error.code).toBe('unavailable');
    await waitUntil('the stream close', () => closed);
    expect((await rejection(connection.request('ls', {}))).code).toBe('unavailable');
  });

  it('fails with a protocol error when the daemon sends a malformed frame or control message', async () => {
    for (const bad of [encodeFrame(9 as FrameKind, 'x'), encodeFrame(FrameKind.Control, 'not json'), encodeFrame(FrameKind.Control, '[1]')]) {
      const { connection, daemon } = await connected();
      const pending = connection.request('status', {});
      await daemon.nextMessage(1);
      daemon.socket.write(bad);
      const error = await rejection(pending);
      expect(error.code, bad.toString('latin1')).toBe('protocol');
      expect(error.message).toMatch(/^daemon sent a malformed/);
    }
  });
});
