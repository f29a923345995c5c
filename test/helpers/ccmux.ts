// Runs the real ccmux (bundle or single binary) against a private CCMUX_HOME, and cleans up what it started.
import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive as alive } from '../../src/util/process-alive';
import { waitUntil } from './wait-until';

export { alive };

export const ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE = path.join(ROOT, 'dist', 'bundle', 'ccmux.cjs');

/** The command that runs ccmux: $CCMUX_BIN (the built binary) or node + the bundle. */
export function ccmuxCommand(): { file: string; args: string[] } {
  const bin = process.env.CCMUX_BIN;
  return bin ? { file: bin, args: [] } : { file: process.execPath, args: [BUNDLE] };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

export class CcmuxHome {
  readonly dir: string;
  readonly env: Record<string, string>;
  private readonly pids = new Set<number>();
  private readonly afterStop: (() => void)[] = [];

  constructor(extraEnv: Record<string, string> = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-test-'));
    const base = { ...process.env } as Record<string, string>;
    for (const key of Object.keys(base)) if (key.startsWith('CCMUX_') && key !== 'CCMUX_BIN') delete base[key];
    this.env = { ...base, CCMUX_HOME: this.dir, SHELL: '/bin/bash', ...extraEnv };
  }

  get socket(): string {
    return path.join(this.dir, 'ccmux.sock');
  }

  get log(): string {
    return path.join(this.dir, 'daemon.log');
  }

  /** Runs `ccmux ...args` to completion. */
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const { file, args: prefix } = ccmuxCommand();
    const spawnOptions: SpawnOptions = { env: { ...this.env, ...options.env }, cwd: options.cwd ?? this.dir, stdio: ['pipe', 'pipe', 'pipe'] };
    return new Promise((resolve, reject) => {
      const child = spawn(file, [...prefix, ...args], spawnOptions);
      let stdout = '';
      let stderr = '';
      // Decoded as a stream: a character split between two pipe reads stays one character.
      child.stdout!.setEncoding('utf8').on('data', (data: string) => (stdout += data));
      child.stderr!.setEncoding('utf8').on('data', (data: string) => (stderr += data));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`ccmux ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms\n${stderr}`));
      }, options.timeoutMs ?? 20_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
      child.stdin!.end(options.input ?? '');
    });
  }

  /** Runs and expects exit status 0; returns stdout. */
  async ok(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(`ccmux ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
    return result.stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '--json'])) as T;
  }

  /** Starts a detached session and returns its name. */
  async newSession(command: string[], options: string[] = []): Promise<string> {
    return (await this.ok(['new', '-d', ...options, '--', ...command])).trim();
  }

  async peek(name: string, extra: string[] = []): Promise<string> {
    return this.ok(['peek', name, ...extra]);
  }

  async waitForScreen(name: string, predicate: (screen: string) => boolean, description: string, timeoutMs = 10_000): Promise<string> {
    let last = '';
    return waitUntil(
      description,
      async () => {
        last = await this.peek(name);
        return predicate(last) ? last : undefined;
      },
      { timeoutMs, detail: () => `screen was:\n${last}` },
    );
  }

  daemonPid(): number | undefined {
    try {
      const status = fs.readFileSync(this.log, 'utf8').match(/daemon (\d+) listening/g);
      const last = status?.[status.length - 1];
      return last ? Number(last.split(' ')[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers a pid this test started, to be killed on cleanup whatever happens. */
  track(pid: number | undefined): void {
    if (pid) this.pids.add(pid);
  }

  /** Runs `undo` on cleanup once the processes are gone, before the home is removed (e.g. an unmount). */
  onCleanup(undo: () => void): void {
    this.afterStop.unshift(undo);
  }

  /** Stops the daemon (and anything tracked) by pid, then removes the home. */
  async cleanup(): Promise<void> {
    const pids = new Set(this.pids);
    for (const line of safeRead(this.log).matchAll(/daemon (\d+) listening/g)) pids.add(Number(line[1]));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await waitUntil('test processes to exit', () => [...pids].every((pid) => !alive(pid)), { timeoutMs: 8000 }).catch(() => {
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    await waitUntil('killed test processes to go', () => [...pids].every((pid) => !alive(pid)), { timeoutMs: 5000 }).catch(() => undefined);
    for (const undo of this.afterStop) undo();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

