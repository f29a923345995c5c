// The daemon's unix socket: binds it safely (replacing a stale one) and turns connections into Connections.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { CcmuxError } from '../errors';
import { FrameKind, MAX_FRAME_BYTES } from '../protocol/frames';
import { FramedSocket } from '../protocol/framed-socket';
import { Connection } from './connection';
import type { Logger } from './logger';
import type { DaemonServices } from './request-handlers';

/** True when something answers on the socket path (a live daemon), false for a stale file or none. */
export function isLive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export class SocketListener {
  private readonly server: net.Server;
  readonly connections = new Set<Connection>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly socketPath: string,
    private readonly services: DaemonServices,
    private readonly log: Logger,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Binds the socket; refuses when another daemon answers on it, replaces it when it is stale. */
  static async listen(socketPath: string, services: DaemonServices, log: Logger): Promise<SocketListener> {
    if (fs.existsSync(socketPath)) {
      if (await isLive(socketPath)) throw new CcmuxError('exists', `another daemon is already listening on ${socketPath}`);
      log.warn(`removing stale socket ${socketPath} left by a daemon that is gone`);
      fs.rmSync(socketPath, { force: true });
    }
    const listener = new SocketListener(socketPath, services, log);
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      // Created 0600 inside a 0700 directory: only this user can connect.
      const previous = process.umask(0o177);
      listener.server.listen(socketPath, () => {
        process.umask(previous);
        listener.server.removeListener('error', reject);
        resolve();
      });
    });
    return listener;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    let connection: Connection | undefined = undefined;
    const framed = new FramedSocket(
      socket,
      {
        frame: (frame) => connection!.onFrame(frame),
        malformed: (error) => connection!.protocolError(error.message),
        close: () => {
          this.sockets.delete(socket);
          if (connection) this.connections.delete(connection);
          connection?.closed();
        },
      },
      MAX_FRAME_BYTES,
    );
    connection = new Connection(
      {
        sendControl: (message) => framed.sendControl(message),
        sendOutput: (data) => framed.sendData(FrameKind.Output, data),
        bufferedBytes: () => framed.bufferedBytes,
        onDrain: (callback) => framed.onDrain(callback),
        close: () => framed.close(),
      },
      this.services,
      this.log,
    );
    this.connections.add(connection);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.end();
      setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
      }, 500).unref();
    });
    fs.rmSync(this.socketPath, { force: true });
  }
}
