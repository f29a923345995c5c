// The daemon (`ccmux server`): owns every session, the screen mirror and the socket; one per CCMUX_HOME.
import { loadConfig } from '../config';
import { CcmuxError, describeError } from '../errors';
import { REQUEST_ARGS, type RequestName } from '../protocol/requests';
import * as path from 'node:path';
import { loadRules } from '../agent/agent-rules';
import { MirrorHost } from '../mirror/mirror-host';
import type { CcmuxEvent } from '../plugins/plugin-api';
import { PluginHost } from '../plugins/plugin-host';
import { selfInvocation } from '../self';
import { Emitter } from '../util/emitter';
import { RecordingStore } from '../recording/recording-store';
import { ensurePrivateDir, type Paths } from '../paths';
import { VERSION } from '../version';
import { WebEndpoint } from '../web/web-endpoint';
import { createLogger } from './logger';
import type { ClientSink } from './attached-client';
import { dispatchRequest, type DaemonServices, type RequestContext } from './request-handlers';
import { mirrorBacklogFromEnvironment, type Session } from './session';
import { SessionRegistry } from './session-registry';
import { ALREADY_RUNNING_STATUS } from '../service/systemd';
import { SocketListener, isLive } from './socket-listener';

/** Runs until `kill-server` or SIGTERM/SIGINT; resolves with the process exit status. */
export async function runDaemon(paths: Paths): Promise<number> {
  const log = createLogger();
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const config = loadConfig(paths.configFile);
  // Checked before the store is opened: opening it marks sessions stored as running as lost, which
  // they are not while another daemon runs them. (A systemd unit does not restart on this status.)
  if (await isLive(paths.socket)) {
    log.error(`another daemon is already listening on ${paths.socket}`);
    return ALREADY_RUNNING_STATUS;
  }
  let recording: RecordingStore;
  try {
    recording = await RecordingStore.open(paths.store, log, config.recording);
  } catch (error) {
    // A CcmuxError already says what and where (e.g. a damaged store and how to move it away).
    log.error(error instanceof CcmuxError ? error.message : `cannot open the recording store: ${describeError(error)}`);
    return 1;
  }
  const mirrors = new MirrorHost((message) => log.error(message));
  // The registry is created below; running sessions are counted on demand (flow control's budget).
  const runningCount = (): number => registry.live().filter((session: Session) => session.isRunning).length;
  const events = new Emitter<CcmuxEvent>();
  const registry = new SessionRegistry(
    {
      mirrors,
      scrollback: config.scrollback,
      mirrorBacklog: mirrorBacklogFromEnvironment(),
      socketPath: paths.socket,
      recordInput: config.recording.input,
      runningSessions: () => runningCount(),
      recordingError: () => recording.error,
      events,
      agentRules: loadRules(path.join(paths.configDir, 'agents'), (message) => log.warn(message)),
      hooksDir: path.join(paths.runtimeDir, 'hooks'),
      self: selfInvocation(),
    },
    recording,
  );

  let stopping: Promise<void> | undefined;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const plugins = new PluginHost(
    {
      dir: path.join(paths.configDir, 'plugins'),
      config: { ...config.plugins, 'shell-hooks': config.hooks },
      disabled: config.disabledPlugins,
      hangMs: config.pluginHangSeconds * 1000,
      sessions: () => registry.live().map((session) => session.snapshot()),
      run: (command, args) => runForPlugin(command, args, services),
      subscribe: (listener) => events.on(listener),
    },
    log,
  );
  const web = new WebEndpoint({ config: config.web, credentialsFile: paths.webCredentials, log, services: () => services });
  const services: DaemonServices = {
    registry,
    recording,
    mirrors,
    web,
    notifyClients: (title, body, exceptSession) => {
      let count = web.notify(title, body, exceptSession);
      for (const connection of listener.connections) {
        const session = connection.attachedSession;
        if (!session || session.id === exceptSession) continue;
        connection.notify(title, body);
        count++;
      }
      return count;
    },
    plugins: () => plugins.status(),
    startedAt: Date.now(),
    socketPath: paths.socket,
    logPath: paths.log,
    configPath: paths.configFile,
    clientCount: () => listener.connections.size + web.clientCount(),
    shutdown: () => void stop('kill-server'),
    events,
  };

  let listener: SocketListener;
  try {
    listener = await SocketListener.listen(paths.socket, services, log);
  } catch (error) {
    log.error(`cannot listen: ${describeError(error)}`);
    await mirrors.dispose();
    await recording.close();
    return 1;
  }
  log.info(`ccmux ${VERSION} daemon ${process.pid} listening on ${paths.socket}`);
  plugins.start();
  if (config.web.enabled) web.start().catch((error: unknown) => log.error(`web: ${describeError(error)}`));
  for (const lost of recording.lostAtStart) {
    events.fire({ type: 'session-lost', time: Date.now(), session: { id: lost.id, name: lost.name } });
  }

  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log.info(`stopping (${why})`);
      registry.stopping = true;
      // Let the response to kill-server leave before the sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      const live = registry.live();
      await Promise.all(live.map((session) => session.kill()));
      // Every byte the programs printed is committed before the store closes.
      await Promise.all(live.map((session) => session.finished));
      for (const session of live) session.dispose('server-exit');
      await plugins.stop();
      await web.stop();
      await listener.close();
      await mirrors.dispose();
      await recording.close();
      log.info('stopped');
      resolveExit(0);
    })();
    return stopping;
  };

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Detached from any terminal; a stray hangup must not take every session down.
  process.on('SIGHUP', () => log.warn('ignoring SIGHUP'));
  process.on('uncaughtException', (error) => log.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => {
    // lmdb rejects an internal promise of its own for every failed commit; RecordingStore reports those.
    if (reason instanceof Error && 'commitError' in reason) return;
    log.error(`unhandled rejection: ${describeError(reason)}`);
  });
  return exited;
}

/** Commands a plugin may run: everything but what needs a connection of its own, stops the daemon or hands out access. */
const NOT_FOR_PLUGINS = new Set(['attach', 'events', 'tail', 'kill-server', 'agent-hook', 'web', 'token']);

function runForPlugin(command: string, args: Record<string, unknown>, services: DaemonServices): Promise<unknown> {
  if (!(command in REQUEST_ARGS) || NOT_FOR_PLUGINS.has(command)) {
    return Promise.reject(new CcmuxError('bad-request', `plugins cannot run "${command}"`));
  }
  const context: RequestContext = {
    sink: PLUGIN_SINK,
    closed: new AbortController().signal,
    attached: () => undefined,
    send: () => undefined,
  };
  return dispatchRequest(command as RequestName, args, context, services);
}

/** Plugins never attach; this sink only satisfies the request context's shape. */
const PLUGIN_SINK: ClientSink = {
  id: 0,
  sendOutput: () => undefined,
  bufferedBytes: () => 0,
  onDrain: () => undefined,
  attachEnded: () => undefined,
};
