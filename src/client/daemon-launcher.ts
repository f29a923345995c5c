// Connects to the daemon, starting it first (detached, under a lock; through systemd when the user service
// is installed) when a command needs one and none runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { CcmuxError } from '../errors';
import { ensurePrivateDir, type Paths } from '../paths';
import { selfInvocation } from '../self';
import { UNIT_NAME, startService } from '../service/systemd';
import { isAlive } from '../util/process-alive';
import { DaemonConnection } from './connection';

const START_TIMEOUT_MS = 15_000;
/** A start lock older than this belongs to a client that died while starting the daemon. */
const STALE_LOCK_MS = 20_000;

function isMissingDaemon(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects to a running daemon, or throws the one-line "no daemon" error. */
export async function connectToDaemon(paths: Paths): Promise<DaemonConnection> {
  try {
    return await DaemonConnection.connect(paths.socket);
  } catch (error) {
    if (isMissingDaemon(error)) {
      throw new CcmuxError('no-daemon', `no daemon is running (socket ${paths.socket}); \`ccmux new\` starts one`);
    }
    throw error;
  }
}

/** Connects, starting the daemon if none runs. Racing clients start exactly one daemon. */
export async function connectOrStartDaemon(paths: Paths): Promise<DaemonConnection> {
  try {
    return await DaemonConnection.connect(paths.socket);
  } catch (error) {
    if (!isMissingDaemon(error)) throw error;
  }
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (tryLock(paths.startLock)) {
      try {
        return await startUnderLock(paths, deadline);
      } finally {
        fs.rmSync(paths.startLock, { force: true });
      }
    }
    // Another client is starting it: wait for the socket to answer.
    try {
      return await DaemonConnection.connect(paths.socket);
    } catch (error) {
      if (!isMissingDaemon(error)) throw error;
    }
    breakStaleLock(paths.startLock);
    await delay(15);
  }
  throw new CcmuxError('unavailable', `the daemon did not start within ${START_TIMEOUT_MS / 1000} s; see ${paths.log}`);
}

function tryLock(lockPath: string): boolean {
  try {
    const fd = fs.openSync(lockPath, 'wx', 0o600);
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CcmuxError('io', `cannot create ${lockPath}: ${(error as Error).message}`);
  }
}

function breakStaleLock(lockPath: string): void {
  try {
    const holder = Number(fs.readFileSync(lockPath, 'utf8'));
    const age = Date.now() - fs.statSync(lockPath).mtimeMs;
    if (age > STALE_LOCK_MS || !isAlive(holder)) fs.rmSync(lockPath, { force: true });
  } catch {
    // Gone meanwhile, or half-written by its holder: look again next round.
  }
}

async function startUnderLock(paths: Paths, deadline: number): Promise<DaemonConnection> {
  try {
    return await DaemonConnection.connect(paths.socket);
  } catch (error) {
    if (!isMissingDaemon(error)) throw error;
  }
  // With the user service installed for this socket, systemd starts the daemon: one owner, no race.
  const viaService = startService(paths);
  let exited: number | null | undefined;
  let crashed: NodeJS.Signals | null = null;
  if (!viaService) {
    const log = fs.openSync(paths.log, 'a', 0o600);
    const self = selfInvocation();
    const child = spawn(self.file, [...self.args, 'server'], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: '/',
      env: process.env,
    });
    fs.closeSync(log);
    child.once('exit', (code, signal) => {
      exited = code;
      crashed = signal;
    });
    child.once('error', () => (exited = -1));
    child.unref();
  }
  while (Date.now() < deadline) {
    try {
      return await DaemonConnection.connect(paths.socket);
    } catch (error) {
      if (!isMissingDaemon(error)) throw error;
    }
    if (crashed) {
      // A native crash at start is most likely a damaged store (LMDB trusts the file it maps).
      throw new CcmuxError(
        'unavailable',
        `the daemon crashed while starting (${crashed}); if it keeps doing so the recording store may be damaged: move ${paths.store} away; see ${paths.log}`,
      );
    }
    if (exited !== undefined) {
      throw new CcmuxError('unavailable', `the daemon could not start: ${lastLogLine(paths.log)}`);
    }
    await delay(5);
  }
  const hint = viaService ? `systemctl --user status ${UNIT_NAME} and ${paths.log}` : paths.log;
  throw new CcmuxError('unavailable', `the daemon did not start within ${START_TIMEOUT_MS / 1000} s; see ${hint}`);
}

function lastLogLine(logPath: string): string {
  try {
    const lines = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n');
    // Without the log's timestamp and level: the reason is what the user needs.
    return (lines[lines.length - 1] ?? '(empty log)').replace(/^\S+ (info|warn|error) /, '');
  } catch {
    return `(no log at ${logPath})`;
  }
}
