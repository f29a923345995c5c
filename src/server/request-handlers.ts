// The daemon's side of every request: one handler per command name, checked exhaustive by the type system.
import * as path from 'node:path';
import { CcmuxError } from '../errors';
import { keyBytes } from '../keys';
import type { CcmuxEvent } from '../plugins/plugin-api';
import { PROTOCOL_VERSION, type ServerMessage } from '../protocol/messages';
import type { Emitter } from '../util/emitter';
import { REQUEST_ARGS, type PluginInfo, type RequestArgs, type RequestName, type RequestResults } from '../protocol/requests';
import type { MirrorHost } from '../mirror/mirror-host';
import { importCast } from '../recording/import-cast';
import { isPrunable } from '../recording/prune';
import { compileSearch, searchSession, type SearchHit } from '../recording/search';
import type { RecordingStore } from '../recording/recording-store';
import { storedScreen } from '../recording/stored-screen';
import { VERSION } from '../version';
import type { WebEndpoint } from '../web/web-endpoint';
import type { AttachedClient, ClientSink } from './attached-client';
import { Session } from './session';
import type { RecordedSession, SessionRegistry } from './session-registry';
import { tail } from './tail';
import { waitFor } from './wait-for';

/** What the daemon offers to handlers beyond the registry. */
export interface DaemonServices {
  registry: SessionRegistry;
  recording: RecordingStore;
  mirrors: MirrorHost;
  startedAt: number;
  socketPath: string;
  logPath: string;
  configPath: string;
  clientCount(): number;
  /** Stops the daemon after the current response has been sent. */
  shutdown(): void;
  events: Emitter<CcmuxEvent>;
  /** Shows a notification on attached terminals; returns how many. */
  notifyClients(title: string, body: string, exceptSession: string | undefined): number;
  plugins(): PluginInfo[];
  web: WebEndpoint;
}

/** The connection a request came in on. */
export interface RequestContext {
  sink: ClientSink;
  /** Aborted when the connection closes, so long requests (wait) stop. */
  closed: AbortSignal;
  /** Called by attach so the connection routes input and resizes to the session. */
  attached(session: Session, client: AttachedClient): void;
  /** Sends an uncorrelated message (events) on this connection. */
  send(message: ServerMessage): void;
}

type Handler<K extends RequestName> = (
  args: RequestArgs<K>,
  context: RequestContext,
  services: DaemonServices,
) => Promise<RequestResults[K]> | RequestResults[K];

const SIGNAL_PATTERN = /^(SIG)?[A-Z0-9]+$/;

function parseSignal(name: string): NodeJS.Signals {
  const upper = name.toUpperCase();
  const signal = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  const known = require('node:os').constants.signals as Record<string, number>;
  if (!SIGNAL_PATTERN.test(upper) || known[signal] === undefined) throw new CcmuxError('bad-request', `unknown signal ${name}`);
  return signal;
}

export const HANDLERS: { [K in RequestName]: Handler<K> } = {
  status: (_args, _context, services) => {
    const sessions = services.registry.all();
    const count = (state: string) => sessions.filter((session) => session.meta.state === state).length;
    const agents: Record<string, number> = {};
    let attachedClients = 0;
    for (const session of services.registry.live()) {
      if (!session.isRunning) continue;
      const state = session.agentStatus.state;
      agents[state] = (agents[state] ?? 0) + 1;
      attachedClients += session.snapshot().clients;
    }
    return {
      version: VERSION,
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      startedAt: services.startedAt,
      socket: services.socketPath,
      log: services.logPath,
      store: services.recording.store.dir,
      storeBytes: services.recording.store.fileBytes(),
      recordingError: services.recording.error ?? null,
      sessions: { running: count('running'), exited: count('exited'), lost: count('lost') },
      agents,
      clients: services.clientCount(),
      attachedClients,
      config: services.configPath,
      plugins: services.plugins(),
      // systemd sets INVOCATION_ID for every unit it runs.
      managedBy: process.env.INVOCATION_ID ? 'systemd' : null,
      // Only while the page is served, as its address.
      ...(services.web.status().url ? { web: { url: services.web.status().url! } } : {}),
    };
  },

  new: async (args, _context, { registry }) => {
    const session = registry.create(args);
    // Confirmed sessions survive a daemon crash: answer once the store has them.
    await session.saved();
    return session.info();
  },

  attach: (args, context, { registry }) => {
    const session = args.session === undefined ? registry.mostRecent() : registry.resolveLive(args.session);
    const client = session.attach(context.sink, args);
    if (args.detachOthers) session.detachOthers(client);
    context.attached(session, client);
    return session.info();
  },

  ls: (_args, _context, { registry }) => registry.all().map((session) => session.info()),

  kill: async (args, _context, { registry }) => {
    const session = registry.resolve(args.session);
    if (!(session instanceof Session) || !session.isRunning) {
      throw new CcmuxError('invalid-state', `session ${session.name} has already ended`);
    }
    await session.kill(args.signal === undefined ? undefined : parseSignal(args.signal));
    return session.info();
  },

  rename: async (args, _context, { registry }) => {
    const session = registry.resolve(args.session);
    await registry.rename(session, args.newName);
    return session.info();
  },

  has: (args, _context, { registry }) => registry.resolve(args.session).info(),

  rm: async (args, _context, { registry }) => {
    const session = registry.resolve(args.session);
    await registry.remove(session);
    return { id: session.id, name: session.name };
  },

  'kill-server': (_args, _context, services) => {
    const sessions = services.registry.live().filter((session) => session.isRunning).length;
    services.shutdown();
    return { sessions };
  },

  send: async (args, _context, { registry }) => {
    for (const key of args.keys) keyBytes(key); // Unknown key names fail before anything is typed.
    return { bytes: await registry.resolveLive(args.session).send(args.text, args.keys, args.enter) };
  },

  peek: async (args, _context, { registry, recording, mirrors }) => {
    const session = registry.resolve(args.session);
    const options = { ansi: args.ansi, scrollback: args.scrollback };
    if (!(session instanceof Session)) recording.assertUsable();
    const screen = session instanceof Session ? await session.screen(options) : await storedScreen(recording.store, mirrors, session.meta, options);
    return { text: screen.text, cols: screen.cols, rows: screen.rows, cursor: screen.cursor, altScreen: screen.altScreen };
  },

  wait: async (args, context, { registry }) => {
    const session = registry.resolve(args.session);
    if (!(session instanceof Session)) return { outcome: args.until === 'exit' ? 'met' : 'gone', session: session.info() };
    const outcome = await waitFor(session, args, context.closed);
    // "Exited" includes "recorded": an export right after `wait --until exit` sees every byte.
    if (outcome === 'met' && args.until === 'exit') await session.finished;
    return { outcome, session: session.info() };
  },

  resize: (args, _context, { registry }) => {
    const session = registry.resolveLive(args.session);
    if (!session.isRunning) throw new CcmuxError('invalid-state', `session ${session.name} has exited`);
    session.resize(args.cols, args.rows);
    return session.info();
  },

  mark: (args, _context, { registry }) => {
    const session = registry.resolveLive(args.session);
    if (!session.isRunning) throw new CcmuxError('invalid-state', `session ${session.name} has exited`);
    session.mark(args.label);
    return { time: session.time() };
  },

  respawn: async (args, _context, { registry }) => {
    const session = await registry.respawn(registry.resolve(args.session), args.env);
    await session.saved();
    return session.info();
  },

  'agent-hook': (args, _context, { registry }) => {
    const session = registry.resolveLive(args.session);
    session.agentHook(args.event, args.startedAt);
    return { state: session.agentStatus.state };
  },

  events: (args, context, { registry, events }) => {
    const only = args.session === undefined ? undefined : registry.resolve(args.session).id;
    const subscription = events.on((event) => {
      if (only === undefined || event.session.id === only) context.send({ type: 'event', event });
    });
    context.closed.addEventListener('abort', () => subscription.dispose());
    return { subscribed: true };
  },

  mute: (args, _context, { registry }) => {
    const session = registry.resolveLive(args.session);
    session.setMuted(args.muted);
    return session.info();
  },

  notify: (args, _context, { registry, notifyClients }) => {
    const except = args.exceptSession === undefined ? undefined : registry.resolve(args.exceptSession).id;
    return { clients: notifyClients(args.title, args.body, except) };
  },

  plugins: (_args, _context, services) => services.plugins(),

  tail,

  import: async (args, _context, { registry, recording }) => {
    if (!path.isAbsolute(args.file)) throw new CcmuxError('bad-request', `import: ${args.file} is not an absolute path`);
    recording.assertUsable();
    const meta = await importCast(recording.store, { file: args.file, cwd: args.cwd, identity: (base) => registry.identity(args.name, base) });
    let session: RecordedSession;
    try {
      session = registry.addRecorded(meta);
    } catch (error) {
      // The name was taken while the file was being read.
      await recording.store.deleteSession(meta.id);
      throw error;
    }
    recording.grew(meta, meta.storedBytes);
    return session.info();
  },

  search: async (args, _context, { registry, recording }) => {
    const regex = compileSearch({ pattern: args.pattern, regex: false, ignoreCase: args.ignoreCase });
    const sessions = args.session === undefined ? registry.all() : [registry.resolve(args.session)];
    const since = args.sinceSeconds === undefined ? undefined : Date.now() - args.sinceSeconds * 1000;
    const options = { pattern: args.pattern, regex: false, ignoreCase: args.ignoreCase, since, all: args.all, context: args.context };
    const hits: SearchHit[] = [];
    for (const session of sessions) {
      // Asynchronous block by block: sessions keep printing while it runs.
      hits.push(...(await searchSession(recording.store, session.meta, options, regex)));
      if (hits.length > args.limit) break;
    }
    return { hits: hits.slice(0, args.limit), truncated: hits.length > args.limit };
  },

  web: (args, _context, { web }) => (args.stop ? web.stop() : web.start(args)),

  token: (args, _context, { web }) => web.token(args),

  prune: async (args, _context, { registry }) => {
    const removed: { id: string; name: string }[] = [];
    for (const session of registry.all()) {
      if (!isPrunable(session.meta, args)) continue;
      if (!args.dryRun) await registry.remove(session);
      removed.push({ id: session.id, name: session.name });
    }
    return { removed };
  },
};

/** Validates untrusted arguments and runs the request's handler (for connections and for plugins). */
export function dispatchRequest(command: RequestName, rawArgs: unknown, context: RequestContext, services: DaemonServices): Promise<unknown> {
  const args = REQUEST_ARGS[command].parse(rawArgs ?? {}, command);
  const handler = HANDLERS[command] as (args: unknown, context: RequestContext, services: DaemonServices) => unknown;
  return Promise.resolve(handler(args, context, services));
}
