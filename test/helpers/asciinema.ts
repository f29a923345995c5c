// The real asciinema CLI (Debian package, installed by `make deps-asciinema`) as a consumer and producer
// of casts. `asciinema cat` reads /dev/tty, so it runs inside a test PTY with stdout sent to a file.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { TestTerminal } from './terminal';

const run = promisify(execFile);
const ENV = { ...(process.env as Record<string, string>), LC_ALL: 'C.UTF-8' };

/** The installed version, e.g. [2, 2, 0]. */
export async function asciinemaVersion(): Promise<number[]> {
  const { stdout } = await run('asciinema', ['--version'], { env: ENV });
  return (/(\d+)\.(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
}

/** `asciinema cat FILE`: its exit status, what it printed to stdout (bytes) and to the terminal. */
export async function asciinemaCat(cast: string, out: string): Promise<{ exitCode: number; stdout: Buffer; terminal: string }> {
  const terminal = new TestTerminal('/bin/sh', ['-c', 'asciinema cat "$1" > "$2"', 'sh', cast, out], { env: ENV });
  try {
    const { exitCode } = await terminal.exited;
    return { exitCode, stdout: fs.readFileSync(out), terminal: terminal.output() };
  } finally {
    await terminal.dispose();
  }
}

/** `asciinema rec` of a shell command, headless (it needs no terminal when given a command). */
export async function asciinemaRec(file: string, command: string, title: string): Promise<void> {
  await run('asciinema', ['rec', '--quiet', '--overwrite', '--title', title, '--command', command, file], { env: ENV });
}
