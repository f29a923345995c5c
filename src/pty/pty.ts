// The only node-pty importer: spawns programs on a pseudo-terminal and delivers every output byte, even at exit.
//
// node-pty's JS wrapper loses the tail of the output when the child exits (node-pty #85, #726): the
// kernel reports EIO on the master once the last slave fd closes, sometimes before everything was
// read, and the wrapper also destroys its socket 200 ms after exit. We use node-pty's native
// fork/resize instead and read the master ourselves while holding a slave fd open, so no hangup
// can cut the stream short. When the child exits we write a random sentinel through our slave fd;
// the tty delivers bytes in order, so once the sentinel comes out of the master every byte the
// program wrote has been read.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tty from 'node:tty';
import { loadNative } from '../native';

interface NativePty {
  fork(
    file: string,
    args: string[],
    env: string[],
    cwd: string,
    cols: number,
    rows: number,
    uid: number,
    gid: number,
    utf8: boolean,
    helperPath: string,
    onexit: (code: number, signal: number) => void,
  ): { fd: number; pid: number; pty: string };
  resize(fd: number, cols: number, rows: number): void;
}

let nativeBinding: NativePty | undefined;
function native(): NativePty {
  // Loaded on first use so that commands which never spawn a PTY do not pay for the addon.
  nativeBinding ??= loadNative('node-pty', () => require('@homebridge/node-pty-prebuilt-multiarch/lib/prebuild-loader').default as NativePty);
  return nativeBinding;
}

function helperPath(): string {
  // Only macOS builds use the spawn helper; Linux forks directly.
  const packageDir = path.dirname(require.resolve('@homebridge/node-pty-prebuilt-multiarch/package.json'));
  return path.join(packageDir, 'build', 'Release', 'spawn-helper');
}

export interface PtyExit {
  code: number | null;
  signal: string | null;
}

export interface SpawnOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/** After the child exits, how long to wait for the sentinel before giving up on the tail. */
const DRAIN_TIMEOUT_MS = 3000;

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(require('node:os').constants.signals as Record<string, number>).map(([name, number]) => [number, name]),
);

export class PtyProcess {
  readonly pid: number;
  private readonly fd: number;
  private slaveFd: number | undefined;
  private readonly stream: tty.ReadStream;
  private readonly sentinel = Buffer.from(`\x1b_ccmux-eof:${randomBytes(12).toString('hex')}\x1b\\`);
  private draining = false;
  private held = Buffer.alloc(0);
  private exitInfo: PtyExit | undefined;
  private finished = false;
  private streamEnded = false;
  private dataListener: (data: Buffer) => void = () => {};
  private exitListener: (exit: PtyExit) => void = () => {};
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(options: SpawnOptions) {
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    const term = native().fork(
      options.file,
      options.args,
      env,
      options.cwd,
      options.cols,
      options.rows,
      -1,
      -1,
      true,
      process.platform === 'darwin' ? helperPath() : '',
      (code, signal) => this.onChildExit(code, signal),
    );
    this.pid = term.pid;
    this.fd = term.fd;
    try {
      this.slaveFd = fs.openSync(term.pty, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    } catch {
      // Without it we fall back to the kernel's hangup, which may lose a few KB at exit.
      this.slaveFd = undefined;
    }
    this.stream = new tty.ReadStream(this.fd);
    this.stream.on('data', (chunk: Buffer) => this.onChunk(chunk));
    const ended = () => {
      this.streamEnded = true;
      if (this.exitInfo) this.finish();
    };
    this.stream.on('error', ended);
    this.stream.on('close', ended);
  }

  onData(listener: (data: Buffer) => void): void {
    this.dataListener = listener;
  }

  onExit(listener: (exit: PtyExit) => void): void {
    this.exitListener = listener;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  write(data: Buffer | string): void {
    if (this.finished) return;
    this.stream.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.finished) return;
    try {
      native().resize(this.fd, cols, rows);
    } catch {
      // The fd closed under us: the exit path is already running.
    }
  }

  /** Stops reading: the program blocks once the kernel buffer fills. */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Sends a signal to the program (its process group when it leads one, as a terminal hangup would). */
  kill(signal: NodeJS.Signals | number = 'SIGHUP'): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** The terminal's foreground process group, read from /proc (Linux); undefined elsewhere. */
  foregroundProcessGroup(): number | undefined {
    try {
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const tpgid = Number(fields[5]);
      return tpgid > 0 ? tpgid : undefined;
    } catch {
      return undefined;
    }
  }

  private onChildExit(code: number, signal: number): void {
    this.exitInfo = { code: signal ? null : code, signal: signal ? (SIGNAL_NAMES.get(signal) ?? String(signal)) : null };
    if (this.slaveFd === undefined || this.streamEnded) {
      // Without a held slave the kernel's EIO ends the stream; finish once both have happened.
      if (this.streamEnded) this.finish();
      return;
    }
    this.draining = true;
    this.stream.resume();
    try {
      fs.writeSync(this.slaveFd, this.sentinel);
    } catch {
      this.finish();
      return;
    }
    this.drainTimer = setTimeout(() => this.finish(), DRAIN_TIMEOUT_MS);
  }

  private onChunk(chunk: Buffer): void {
    if (this.finished) return;
    if (!this.draining) {
      this.dataListener(chunk);
      return;
    }
    // Hold back anything that might be the start of the sentinel until we know.
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.sentinel);
    if (at >= 0) {
      if (at > 0) this.dataListener(data.subarray(0, at));
      this.held = Buffer.alloc(0);
      this.finish();
      return;
    }
    const keep = Math.min(data.length, this.sentinel.length - 1);
    if (data.length > keep) this.dataListener(data.subarray(0, data.length - keep));
    this.held = Buffer.from(data.subarray(data.length - keep));
  }

  /** Ends the session's stream: called once the exit status is known and the output is drained. */
  private finish(): void {
    if (this.finished || !this.exitInfo) return;
    this.finished = true;
    clearTimeout(this.drainTimer);
    if (this.held.length) this.dataListener(this.held);
    if (this.slaveFd !== undefined) fs.closeSync(this.slaveFd);
    this.slaveFd = undefined;
    this.stream.destroy();
    this.exitListener(this.exitInfo);
  }

  /** Hangs up the terminal: the program gets SIGHUP, as when a terminal window closes. */
  dispose(): void {
    if (!this.hasExited) this.kill('SIGHUP');
  }
}
