// Shared bench plumbing: a private work dir, ccmux and tmux drivers (private home, private socket), bounded waits, PSS.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const require = createRequire(join(root, 'package.json'));
export const CCMUX = join(root, 'dist', 'ccmux');

/** Epoch milliseconds with sub-ms resolution, comparable with bash's $EPOCHREALTIME (both CLOCK_REALTIME). */
export const epochMs = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. Every wait is bounded. */
export async function waitFor(description, predicate, timeoutMs, everyMs = 5) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(everyMs);
  }
}

export const quantile = (values, q) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
export const median = (values) => quantile(values, 0.5);

/** Proportional set size of these processes in bytes (shared pages split among their users), from smaps_rollup. */
export function pss(pids) {
  return pssParts(pids).pss;
}

/** PSS and its anonymous (heaps) and file-backed (the executable, mapped store) parts, in bytes. */
export function pssParts(pids) {
  const total = { pss: 0, anon: 0, file: 0 };
  for (const pid of pids) {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      if (!match) throw new Error(`no ${name} for ${pid}`);
      return Number(match[1]) * 1024;
    };
    total.pss += field('Pss');
    total.anon += field('Pss_Anon');
    total.file += field('Pss_File');
  }
  return total;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (user + system, all threads) a live process has used so far, in ms. */
export function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU ms per thread of `pid`, by thread name (threads of one name added up: libuv-worker, V8Worker…). */
export function threadCpuMs(pid) {
  const byName = {};
  let tids = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      // Thread gone.
    }
  }
  return byName;
}

/** Per-thread CPU used between two threadCpuMs readings (threads that used none left out). */
export function threadCpuDiff(after, before) {
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? 0)]).filter(([, ms]) => ms > 0));
}

/** The process and its descendants (from /proc), e.g. a daemon with helper processes. */
export function processTree(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

export function processName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`: ends a process we started, by pid. */
export async function killPid(pid, graceMs = 2000) {
  if (!pid || !isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  try {
    await waitFor(`pid ${pid} to exit`, () => !isAlive(pid), graceMs, 10);
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

/** A private scratch directory and environment shared by every candidate of a run. */
export class Work {
  constructor() {
    this.dir = fs.mkdtempSync(join(tmpdir(), 'ccmux-bench-'));
    this.home = join(this.dir, 'home');
    fs.mkdirSync(this.home);
    // A UTF-8 locale: without one tmux replaces every non-ASCII character by '_' and would do less work.
    this.env = { PATH: process.env.PATH, HOME: this.home, TERM: 'xterm-256color', SHELL: '/bin/sh', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    // Natives unpacked once for the whole run (pkg's cache), not per CCMUX_HOME.
    this.env.PKG_NATIVE_CACHE_PATH = join(this.dir, 'pkg-cache');
    this.env.TMPDIR = process.env.TMPDIR ?? tmpdir();
  }

  path(name) {
    return join(this.dir, name);
  }

  dispose() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

let nextHome = 1;

/** Errors and warnings the ccmux daemons logged during the run (a crashed mirror worker makes numbers lie). */
export const daemonProblems = [];

/** ccmux (the built binary) with its own CCMUX_HOME: one daemon per instance. */
export class Ccmux {
  constructor(work, name = `ccmux-${nextHome++}`) {
    this.work = work;
    this.file = CCMUX;
    this.label = 'ccmux';
    this.env = { ...work.env, CCMUX_HOME: work.path(name) };
    this.daemonPids = new Set();
  }

  run(args, options = {}) {
    const result = spawnSync(this.file, args, { env: this.env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, cwd: this.work.dir });
    if (result.error) throw result.error;
    if (result.status !== 0 && !options.allowFailure) throw new Error(`ccmux ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  /** Starts `argv` in a detached session of `cols`×`rows`. */
  newSession(name, argv, { cols = 80, rows = 24 } = {}) {
    this.run(['new', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '--', ...argv]);
    // Remembered so that stop() can make sure the daemon is gone, by pid.
    if (!this.daemonPids.size) this.daemonPids.add(this.daemonPid());
  }

  sessions() {
    return JSON.parse(this.run(['ls', '--json']));
  }

  session(name) {
    return this.sessions().find((session) => session.name === name);
  }

  daemonPid() {
    const result = spawnSync(this.file, ['status', '--json'], { env: this.env, encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) return undefined;
    return JSON.parse(result.stdout).pid;
  }

  /** Every process of ccmux itself (the daemon; its threads are inside it) — not the sessions' programs. */
  pids() {
    const pid = this.daemonPid();
    return pid ? [pid] : [];
  }

  killSession(name) {
    this.run(['kill', name], { allowFailure: true });
  }

  /** Kills the session and forgets its recording (between rounds, so that rounds start alike). */
  async removeSession(name) {
    this.killSession(name);
    await waitFor(`ccmux session ${name} to end`, () => this.session(name)?.state !== 'running', 10_000, 20);
    this.run(['rm', name], { allowFailure: true });
  }

  attachArgs(name) {
    return [this.file, ['attach', name]];
  }

  async stop() {
    const pid = this.daemonPid();
    if (pid) this.daemonPids.add(pid);
    spawnSync(this.file, ['kill-server'], { env: this.env, timeout: 15_000 });
    for (const daemon of this.daemonPids) await killPid(daemon);
    this.daemonPids.clear();
    let log = '';
    try {
      log = fs.readFileSync(join(this.env.CCMUX_HOME, 'daemon.log'), 'utf8');
      fs.rmSync(join(this.env.CCMUX_HOME, 'daemon.log'));
    } catch {
      // No daemon ran.
    }
    for (const line of log.split('\n')) if (/^\S+ (error|warn) /.test(line)) daemonProblems.push(`${this.env.CCMUX_HOME}: ${line}`);
  }
}

/** tmux on a private socket, reading no config file (-f /dev/null). */
export class Tmux {
  constructor(work, name = `bench-${process.pid}-${nextHome++}`, { historyLimit } = {}) {
    this.work = work;
    this.file = 'tmux';
    this.label = 'tmux';
    this.socket = name;
    this.env = { ...work.env };
    this.historyLimit = historyLimit;
    this.serverPid = undefined;
  }

  args(...args) {
    return ['-L', this.socket, '-f', '/dev/null', ...args];
  }

  run(args, options = {}) {
    const result = spawnSync('tmux', this.args(...args), { env: this.env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, cwd: this.work.dir });
    if (result.error) throw result.error;
    if (result.status !== 0 && !options.allowFailure) throw new Error(`tmux ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  /** Starts `argv` (exec'd as is, no shell) in a detached session of `cols`×`rows`. */
  newSession(name, argv, { cols = 80, rows = 24 } = {}) {
    // The server stays up without sessions, like ccmux's daemon (tmux's default is to exit when empty).
    // history-limit applies to panes created after it is set, so it is set in the same command.
    const options = ['set-option', '-s', 'exit-empty', 'off', ';'];
    if (this.historyLimit) options.push('set-option', '-g', 'history-limit', String(this.historyLimit), ';');
    this.run([...options, 'new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), ...argv]);
    if (!this.serverPid || !isAlive(this.serverPid)) this.serverPid = Number(this.run(['display-message', '-p', '#{pid}']).trim());
  }

  pids() {
    return this.serverPid && isAlive(this.serverPid) ? [this.serverPid] : [];
  }

  killSession(name) {
    this.run(['kill-session', '-t', name], { allowFailure: true });
  }

  async removeSession(name) {
    this.killSession(name);
  }

  attachArgs(name) {
    return ['tmux', this.args('attach-session', '-t', name)];
  }

  async stop() {
    spawnSync('tmux', this.args('kill-server'), { env: this.env, timeout: 15_000 });
    await killPid(this.serverPid);
    this.serverPid = undefined;
  }
}

export function hasTmux() {
  return spawnSync('tmux', ['-V']).status === 0;
}

export function mkfifo(path) {
  execFileSync('mkfifo', ['-m', '0600', path]);
}

/** Writes `data` into a FIFO once its reader is there (non-blocking open, retried until `timeoutMs`). */
export async function signalFifo(path, data = 'go\n', timeoutMs = 10_000) {
  const fd = await waitFor(`a reader on ${path}`, () => {
    try {
      return fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      if (error.code === 'ENXIO') return undefined;
      throw error;
    }
  }, timeoutMs, 1);
  try {
    fs.writeSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs a command to completion; resolves with wall ms. Throws on a non-zero exit unless allowed. */
export function timeCommand(file, args, env, { allowStatus = [0], timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (!allowStatus.includes(code)) reject(new Error(`${file} ${args.join(' ')} exited ${code ?? signal}: ${stderr.slice(-500)}`));
      else resolve(ms);
    });
  });
}
