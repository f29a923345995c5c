// The daemon (`ccmux server`): owns every session, the screen mirror and the socket; one per CCMUX_HOME.
import { loadConfig } from '../config';
import { describeError } from '../errors';
import * as path from 'node:path';
import { loadRules } from '../agent/agent-rules';
import { MirrorHost } from '../mirror/mirror-host';
import type { CcmuxEvent } from '../plugins/plugin-api';
import { selfInvocation } from '../self';
import { Emitter } from '../util/emitter';
import { RecordingStore } from '../recording/recording-store';
import { ensurePrivateDir, type Paths } from '../paths';
import { VERSION } from '../version';
import { createLogger } from './logger';
import type { DaemonServices } from './request-handlers';
import { SessionRegistry } from './session-registry';
import { SocketListener } from './socket-listener';

/** Runs until `kill-server` or SIGTERM/SIGINT; resolves with the process exit status. */
export async function runDaemon(paths: Paths): Promise<number> {
  const log = createLogger();
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const config = loadConfig(paths.configFile);
  let recording: RecordingStore;
  try {
    recording = await RecordingStore.open(paths.store, log, config.recording);
  } catch (error) {
    log.error(`cannot open the recording store: ${describeError(error)}`);
    return 1;
  }
  const mirrors = new MirrorHost((message) => log.error(message));
  const events = new Emitter<CcmuxEvent>();
  const registry = new SessionRegistry(
    {
      mirrors,
      scrollback: config.scrollback,
      socketPath: paths.socket,
      recordInput: config.recording.input,
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

  const services: DaemonServices = {
    registry,
    recording,
    mirrors,
    startedAt: Date.now(),
    socketPath: paths.socket,
    logPath: paths.log,
    clientCount: () => listener.connections.size,
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

  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log.info(`stopping (${why})`);
      // Let the response to kill-server leave before the sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      const live = registry.live();
      await Promise.all(live.map((session) => session.kill()));
      // Every byte the programs printed is committed before the store closes.
      await Promise.all(live.map((session) => session.finished));
      for (const session of live) session.dispose('server-exit');
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
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${describeError(reason)}`));
  return exited;
}
