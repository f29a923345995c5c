// The daemon's web endpoint: started by config or `ccmux web`, restarted with other settings, stopped;
// owns the credentials file while the daemon runs and closes the WebSockets of revoked credentials.
import type { Config } from '../config';
import { CcmuxError } from '../errors';
import type { RequestArgs, RequestResults, WebStatus } from '../protocol/requests';
import type { Logger } from '../server/logger';
import type { DaemonServices } from '../server/request-handlers';
import { CredentialStore, publicInfo } from './credentials';
import { WebServer } from './web-server';
import { checkBindPolicy, webSettings, type WebSettings } from './web-settings';

export interface WebEndpointDeps {
  config: Config['web'];
  credentialsFile: string;
  log: Logger;
  services(): DaemonServices;
}

const STOPPED: WebStatus = { running: false, url: null, bind: null, port: null, tls: false };

export class WebEndpoint {
  private server: WebServer | undefined;
  private settings: WebSettings | undefined;
  private store: CredentialStore | undefined;
  /** Starts and stops one at a time. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: WebEndpointDeps) {}

  /** Loaded on first use, then kept: the daemon is the file's only writer while it runs. */
  private get credentials(): CredentialStore {
    this.store ??= CredentialStore.load(this.deps.credentialsFile);
    return this.store;
  }

  status(): WebStatus {
    const { server, settings } = this;
    if (!server || !settings) return STOPPED;
    return { running: true, url: server.url, bind: settings.bind, port: server.port, tls: settings.tls !== undefined };
  }

  /** Starts with the config's settings and the request's on top; a running endpoint with other settings restarts. */
  start(request: RequestArgs<'web'> = { stop: false }): Promise<WebStatus> {
    return this.serially(async () => {
      // `ccmux web` with no settings shows the running endpoint as it is.
      const asIs = [request.port, request.bind, request.allowRemote, request.insecureNoTls, request.tlsCert].every((value) => value === undefined);
      if (this.server && asIs) return this.status();
      const settings = webSettings(this.deps.config, request);
      checkBindPolicy(settings);
      if (this.server && this.settings && sameAddress(this.settings, settings, this.server.port)) return this.status();
      await this.halt();
      this.server = await WebServer.listen({ settings, credentials: this.credentials, services: this.deps.services(), log: this.deps.log }, () => this.sweep());
      this.settings = settings;
      this.deps.log.info(`web: serving ${this.server.url}`);
      return this.status();
    });
  }

  stop(): Promise<WebStatus> {
    return this.serially(async () => {
      await this.halt();
      return STOPPED;
    });
  }

  private async halt(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.settings = undefined;
    await server.close();
    this.deps.log.info('web: stopped');
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.busy.then(operation);
    this.busy = result.catch(() => undefined);
    return result;
  }

  token(args: RequestArgs<'token'>): RequestResults['token'] {
    const store = this.credentials;
    switch (args.action) {
      case 'create': {
        if (args.hash === undefined) throw new CcmuxError('bad-request', 'token: create needs the hash of the new secret');
        const session = args.session === undefined ? undefined : this.deps.services().registry.resolve(args.session);
        const credential = store.create({
          kind: args.kind,
          hash: args.hash,
          readOnly: args.readOnly,
          session: session && { id: session.id, name: session.name },
          ttlMs: args.ttlSeconds === undefined ? undefined : args.ttlSeconds * 1000,
        });
        return { credentials: [publicInfo(credential)], revoked: 0 };
      }
      case 'list':
        return { credentials: store.list().map(publicInfo), revoked: 0 };
      case 'revoke': {
        const revoked = store.revoke(args.id);
        this.server?.closeClients((client) => revoked.includes(client.credential.id), 'credential revoked');
        return { credentials: [], revoked: revoked.length };
      }
    }
  }

  /** Expired credentials leave the file, and their WebSockets close. */
  private sweep(): void {
    if (!this.store) return;
    const expired = this.store.dropExpired();
    if (expired.length) this.server?.closeClients((client) => expired.includes(client.credential.id), 'credential expired');
  }

  /** Shows a notification on attached web clients that may see every session; returns how many. */
  notify(title: string, body: string, exceptSession: string | undefined): number {
    let count = 0;
    for (const { connection, credential } of this.server?.clients ?? []) {
      const session = connection.attachedSession;
      if (!session || session.id === exceptSession || credential.session !== null) continue;
      connection.notify(title, body);
      count++;
    }
    return count;
  }

  clientCount(): number {
    return this.server?.clients.size ?? 0;
  }
}

/** Would these settings serve the same thing (port 0 is satisfied by whatever port was picked)? */
function sameAddress(current: WebSettings, wanted: WebSettings, port: number): boolean {
  return (
    (wanted.port === 0 || wanted.port === port) &&
    wanted.bind === current.bind &&
    wanted.allowRemote === current.allowRemote &&
    wanted.insecureNoTls === current.insecureNoTls &&
    wanted.tls?.cert === current.tls?.cert &&
    wanted.tls?.key === current.tls?.key
  );
}
