// Where ccmux keeps its socket, log, store and config, and the private-directory check that guards them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CcmuxError } from './errors';

export interface Paths {
  /** Private runtime directory holding the socket and the start lock. */
  runtimeDir: string;
  socket: string;
  startLock: string;
  /** Private data directory holding the log and the recordings. */
  stateDir: string;
  log: string;
  store: string;
  /** Web credentials (hashes only), mode 0600. */
  webCredentials: string;
  configDir: string;
  configFile: string;
}

type Env = Record<string, string | undefined>;

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

export function resolvePaths(env: Env = process.env): Paths {
  const home = env.CCMUX_HOME ? path.resolve(env.CCMUX_HOME) : undefined;
  const userHome = env.HOME || os.homedir();
  const runtimeDir =
    home ?? (env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'ccmux') : path.join(os.tmpdir(), `ccmux-${uid()}`));
  const stateDir = home ?? path.join(env.XDG_STATE_HOME || path.join(userHome, '.local', 'state'), 'ccmux');
  const configDir = home ?? path.join(env.XDG_CONFIG_HOME || path.join(userHome, '.config'), 'ccmux');
  return {
    runtimeDir,
    socket: path.join(runtimeDir, 'ccmux.sock'),
    startLock: path.join(runtimeDir, 'start.lock'),
    stateDir,
    log: path.join(stateDir, 'daemon.log'),
    store: path.join(stateDir, 'store'),
    webCredentials: path.join(stateDir, 'web-credentials.json'),
    configDir,
    configFile: env.CCMUX_CONFIG ? path.resolve(env.CCMUX_CONFIG) : path.join(configDir, 'config.json'),
  };
}

/**
 * Creates `dir` (mode 0700) or checks an existing one: it must be a directory owned by this user.
 * Group/other permissions on a directory we own are removed rather than trusted.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CcmuxError('io', `cannot create ${dir}: ${(error as Error).message}`);
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new CcmuxError('denied', `${dir} is not a directory`);
  if (stat.uid !== uid()) throw new CcmuxError('denied', `${dir} is owned by uid ${stat.uid}, not by you; refusing to use it`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
