// FramedSocket over a real unix socket: frames in order, data re-chunked, malformed input and closing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameError, FrameKind, MAX_DATA_CHUNK, encodeFrame, type Frame } from '../../src/protocol/frames';
import { FramedSocket, type FrameHandlers } from '../../src/protocol/framed-socket';
import { SocketServer, readAll } from '../helpers/socket-pair';
import { waitUntil } from '../helpers/wait-until';

let server: SocketServer;

beforeEach(async () => {
  server = await SocketServer.start();
});

afterEach(async () => {
  await server.stop();
});

/** Handlers that record what arrives. */
function recorder() {
  const seen = { frames: [] as Frame[], malformed: [] as FrameError[], closed: false };
  const handlers: FrameHandlers = {
    frame: (frame) => seen.frames.push(frame),
    malformed: (error) => seen.malformed.push(error),
    close: () => (seen.closed = true),
  };
  return { seen, handlers };
}

describe('FramedSocket', () => {
  it('delivers control and data frames in order', async () => {
    const { client, server: peer } = await server.pair();
    const { seen, handlers } = recorder();
    new FramedSocket(peer, handlers);
    const sender = new FramedSocket(client, recorder().handlers);
    sender.sendControl({ type: 'hello', n: 1 });
    sender.sendData(FrameKind.Input, Buffer.from([0x02, 0x64]));
    sender.sendControl({ type: 'detach' });
    await waitUntil('three frames', () => seen.frames.length === 3);
    expect(seen.frames.map((frame) => [frame.kind, frame.payload.toString('latin1')])).toEqual([
      [FrameKind.Control, '{"type":"hello","n":1}'],
      [FrameKind.Input, '\x02d'],
      [FrameKind.Control, '{"type":"detach"}'],
    ]);
  });

  it('splits large data into frames of at most MAX_DATA_CHUNK, reassembling to the same bytes', async () => {
    const { client, server: peer } = await server.pair();
    const { seen, handlers } = recorder();
    new FramedSocket(peer, handlers);
    const data = Buffer.alloc(MAX_DATA_CHUNK * 2 + 12345);
    for (let index = 0; index < data.length; index++) data[index] = (index * 7) & 0xff;
    new FramedSocket(client, recorder().handlers).sendData(FrameKind.Output, data);
    await waitUntil('all the data', () => seen.frames.reduce((sum, frame) => sum + frame.payload.length, 0) === data.length);
    expect(seen.frames.map((frame) => frame.payload.length)).toEqual([MAX_DATA_CHUNK, MAX_DATA_CHUNK, 12345]);
    expect(seen.frames.every((frame) => frame.kind === FrameKind.Output)).toBe(true);
    expect(Buffer.concat(seen.frames.map((frame) => frame.payload)).equals(data)).toBe(true);
  });

  it('reports a malformed frame once, closes the connection and ignores what follows', async () => {
    const { client, server: peer } = await server.pair();
    const { seen, handlers } = recorder();
    const framed = new FramedSocket(peer, handlers, 64);
    const clientEnd = readAll(client);
    client.write(Buffer.concat([encodeFrame(FrameKind.Input, 'ok'), encodeFrame(FrameKind.Input, Buffer.alloc(100)), encodeFrame(FrameKind.Input, 'late')]));
    await clientEnd; // The server side ended the connection.
    await waitUntil('the close handler', () => seen.closed);
    expect(seen.frames.map((frame) => frame.payload.toString())).toEqual(['ok']);
    expect(seen.malformed).toHaveLength(1);
    expect(seen.malformed[0]).toBeInstanceOf(FrameError);
    expect(framed.isClosed).toBe(true);
  });

  it('stops delivering frames of a chunk once a handler closes the connection', async () => {
    const { client, server: peer } = await server.pair();
    const seen: string[] = [];
    const framed: FramedSocket = new FramedSocket(peer, {
      frame: (frame) => {
        seen.push(frame.payload.toString());
        framed.close();
      },
      malformed: () => {},
      close: () => {},
    });
    const ended = readAll(client);
    client.write(Buffer.concat([encodeFrame(FrameKind.Input, 'first'), encodeFrame(FrameKind.Input, 'second')]));
    await ended;
    expect(seen).toEqual(['first']);
  });

  it('flushes what was sent before close(), then ends; sending after close does nothing', async () => {
    const { client, server: peer } = await server.pair();
    const received = readAll(client);
    const framed = new FramedSocket(peer, recorder().handlers);
    framed.sendData(FrameKind.Output, Buffer.alloc(300_000, 0x61));
    framed.sendControl({ type: 'attach-end' });
    framed.close();
    framed.sendControl({ type: 'too late' });
    framed.close();
    const bytes = await received;
    expect(bytes.length).toBe(encodeFrame(FrameKind.Output, Buffer.alloc(300_000)).length + encodeFrame(FrameKind.Control, '{"type":"attach-end"}').length);
    expect(bytes.subarray(bytes.length - 21).toString()).toBe('{"type":"attach-end"}');
  });

  it('calls close when the peer goes away', async () => {
    const { client, server: peer } = await server.pair();
    const { seen, handlers } = recorder();
    const framed = new FramedSocket(peer, handlers);
    client.destroy();
    await waitUntil('the close handler', () => seen.closed);
    expect(framed.isClosed).toBe(true);
    expect(seen.malformed).toEqual([]);
  });

  it('counts bytes written but not yet taken by the kernel', async () => {
    const { client, server: peer } = await server.pair();
    client.pause(); // A peer that does not read.
    const framed = new FramedSocket(peer, recorder().handlers);
    expect(framed.bufferedBytes).toBe(0);
    for (let index = 0; index < 64; index++) framed.sendData(FrameKind.Output, Buffer.alloc(256 * 1024));
    expect(framed.bufferedBytes).toBeGreaterThan(0);
    const drained = new Promise<void>((resolve) => framed.onDrain(resolve));
    client.resume();
    await drained;
    expect(framed.bufferedBytes).toBe(0);
  });
});
