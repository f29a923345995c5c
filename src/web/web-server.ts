// One listening web endpoint: the HTTP(S) server, the checks on every WebSocket upgrade (path, Host,
// Origin, credential), and the WebSocket clients, each a Connection like a unix-socket client.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CcmuxError, describeError } from '../errors';
import { MAX_FRAME_BYTES } from '../protocol/frames';
import { Connection } from '../server/connection';
import type { Logger } from '../server/logger';
import type { DaemonServices } from '../server/request-handlers';
import { SUBPROTOCOL, cookieName, requestCredential, subprotocolProblem } from './auth';
import type { Credential, CredentialStore } from './credentials';
import { handleHttp, type RouteContext } from './http-routes';
import { webRequestGuard } from './request-scope';
import { accessPolicy, hostAllowed, originAllowed, type AccessPolicy, type WebSettings } from './web-settings';
import { WebSocketTransport } from './ws-transport';

/** Pings every client this often; one that has not answered the previous ping is cut off. */
const KEEPALIVE_MS = 15_000;

export interface WebClient {
  connection: Connection;
  transport: WebSocketTransport;
  ws: WebSocket;
  credential: Credential;
  alive: boolean;
}

export interface WebServerDeps {
  settings: WebSettings;
  credentials: CredentialStore;
  services: DaemonServices;
  log: Logger;
}

/** Attacker-controlled header values go into the log quoted and cut short. */
function quoted(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value.slice(0, 200));
}

function readTls(settings: WebSettings): { cert: Buffer; key: Buffer } | undefined {
  if (!settings.tls) return undefined;
  try {
    return { cert: fs.readFileSync(settings.tls.cert), key: fs.readFileSync(settings.tls.key) };
  } catch (error) {
    throw new CcmuxError('bad-request', `web: cannot read the TLS certificate or key: ${describeError(error)}`);
  }
}

export class WebServer {
  readonly clients = new Set<WebClient>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  private readonly keepalive: NodeJS.Timeout;
  private policy!: AccessPolicy;
  private cookie = '';
  port = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly deps: WebServerDeps,
    /** Called for each credential check in the keepalive sweep (expiry). */
    private readonly sweep: () => void,
  ) {
    this.keepalive = setInterval(() => this.ping(), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  static async listen(deps: WebServerDeps, sweep: () => void): Promise<WebServer> {
    const tls = readTls(deps.settings);
    const server = tls ? https.createServer(tls) : http.createServer();
    const web = new WebServer(server, deps, sweep);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${deps.settings.bind} port ${deps.settings.port}`;
        reject(new CcmuxError('unavailable', error.code === 'EADDRINUSE' ? `web: ${where} is in use` : `web: cannot listen on ${where}: ${error.message}`));
      });
      server.listen(deps.settings.port, deps.settings.bind, () => resolve());
    });
    web.port = (server.address() as AddressInfo).port;
    web.policy = accessPolicy(deps.settings, web.port);
    web.cookie = cookieName(web.port);
    server.on('request', (request, response) => {
      handleHttp(request, response, web.routeContext()).catch((error: unknown) => {
        deps.log.error(`web: ${request.method} ${request.url?.split('?')[0]} failed: ${describeError(error)}`);
        response.destroy();
      });
    });
    server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => web.upgrade(request, socket, head));
    server.on('clientError', (_error, socket) => socket.destroy());
    return web;
  }

  get url(): string {
    return this.policy.url;
  }

  private routeContext(): RouteContext {
    const { credentials, services, log, settings } = this.deps;
    return {
      policy: this.policy,
      cookie: this.cookie,
      secure: settings.tls !== undefined,
      credentials,
      registry: services.registry,
      store: services.recording.store,
      log,
      loggedOut: (id) => this.closeClients((client) => client.credential.id === id, 'logged out'),
    };
  }

  private upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string) => {
      this.deps.log.warn(`web: refused a WebSocket from ${request.socket.remoteAddress}: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(request.url ?? '/', 'http://host').pathname !== '/ws') return refuse(404, `no WebSocket at ${quoted(request.url)}`);
    if (!hostAllowed(this.policy, request.headers.host)) return refuse(403, `Host ${quoted(request.headers.host)} is not this endpoint`);
    if (!originAllowed(this.policy, request.headers.origin)) return refuse(403, `Origin ${quoted(request.headers.origin)} is not allowed`);
    const problem = subprotocolProblem(request);
    if (problem) return refuse(400, problem);
    const credential = requestCredential(request, this.deps.credentials, this.cookie);
    if (!credential) return refuse(401, 'no valid credential');
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, credential));
  }

  private accept(ws: WebSocket, credential: Credential): void {
    const { services, log } = this.deps;
    const transport = new WebSocketTransport(ws);
    const connection = new Connection(transport, services, log, {
      readOnly: credential.readOnly,
      guard: webRequestGuard({ session: credential.session, sessionName: credential.sessionName }, services.registry),
    });
    const client: WebClient = { connection, transport, ws, credential, alive: true };
    this.clients.add(client);
    transport.listen({ frame: (frame) => connection.onFrame(frame), malformed: (message) => connection.protocolError(message) });
    ws.on('pong', () => (client.alive = true));
    // ws reports oversized and malformed WebSocket frames here, then closes the socket itself.
    ws.on('error', (error) => log.warn(`web: connection ${connection.id}: ${error.message}; closed`));
    ws.on('close', () => {
      this.clients.delete(client);
      connection.closed();
    });
  }

  private ping(): void {
    this.sweep();
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }

  /** Closes the WebSockets of clients that match (e.g. their credential was revoked). */
  closeClients(match: (client: WebClient) => boolean, reason: string): void {
    for (const client of this.clients) {
      if (match(client)) client.transport.close(4001, reason);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.keepalive);
    for (const client of this.clients) client.transport.close(1001, 'the endpoint is stopping');
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      // Closing handshakes get a moment; then the sockets go regardless.
      setTimeout(() => {
        for (const client of this.clients) client.ws.terminate();
      }, 1000).unref();
    });
  }
}
