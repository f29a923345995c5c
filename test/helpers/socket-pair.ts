// A real unix-socket server in a private temp dir, handing each accepted connection to the test.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export class SocketServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-unit-'));
  readonly path = path.join(this.dir, 'test.sock');
  private readonly server: net.Server;
  private readonly waiting: ((socket: net.Socket) => void)[] = [];
  private readonly accepted: net.Socket[] = [];
  private readonly sockets: net.Socket[] = [];

  private constructor() {
    this.server = net.createServer((socket) => {
      this.sockets.push(socket);
      const waiter = this.waiting.shift();
      if (waiter) waiter(socket);
      else this.accepted.push(socket);
    });
  }

  static async start(): Promise<SocketServer> {
    const server = new SocketServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(server.path, resolve);
    });
    return server;
  }

  /** The next connection the server accepts. */
  next(): Promise<net.Socket> {
    const socket = this.accepted.shift();
    if (socket) return Promise.resolve(socket);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A client connection and its server side. */
  async pair(): Promise<{ client: net.Socket; server: net.Socket }> {
    const serverSide = this.next();
    const client = net.createConnection(this.path);
    this.sockets.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return { client, server: await serverSide };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves with everything a socket receives until the peer ends or closes it. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
  });
}
