// A client (ccmux attach, tmux attach, or a plain program) on a PTY the harness drains: byte counts, marker waits.
import { require } from './harness.mjs';

const pty = require('@homebridge/node-pty-prebuilt-multiarch');

export class PtyClient {
  /**
   * Spawns `file args` on a new PTY of `cols`×`rows`. The PTY is put in raw mode (no echo) by a `stty` that
   * runs on it before the program is exec'd, so no key typed later can be echoed by the line discipline
   * instead of going through the multiplexer. `raw: false` spawns the program directly (timing start-up).
   */
  constructor(file, args, { env, cwd, cols = 80, rows = 24, raw = true }) {
    this.bytes = 0;
    this.waiters = new Set();
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.exit = undefined;
    const [program, argv] = raw ? ['/bin/sh', ['-c', 'stty raw -echo && exec "$@"', 'sh', file, ...args]] : [file, args];
    this.term = pty.spawn(program, argv, {
      name: 'xterm-256color',
      cols,
      rows,
      cwd,
      env,
      encoding: null,
    });
    this.pid = this.term.pid;
    this.term.onData((data) => this.onData(data, performance.now()));
    this.term.onExit((exit) => {
      this.exit = exit;
      for (const waiter of this.waiters) waiter.fail(new Error(`${file} exited (${JSON.stringify(exit)}) before ${JSON.stringify(waiter.text)} arrived; last output ${JSON.stringify(this.tail.toString('utf8').slice(-300))}`));
      this.resolveExit(exit);
    });
    this.tail = Buffer.alloc(0);
    this.onChunk = undefined;
  }

  onData(chunk, at) {
    this.bytes += chunk.length;
    this.onChunk?.(chunk, at);
    for (const waiter of this.waiters) waiter.feed(chunk, at);
    this.tail = Buffer.from(chunk.length >= 4096 ? chunk.subarray(chunk.length - 4096) : Buffer.concat([this.tail, chunk]).subarray(-4096));
  }

  /**
   * Resolves with performance.now() of the read that completed `text` in the output arriving from now on;
   * rejects after `timeoutMs` or when the client exits first.
   */
  expect(text, timeoutMs) {
    const needle = Buffer.from(text, 'utf8');
    return new Promise((resolve, reject) => {
      let carry = Buffer.alloc(0);
      const waiter = {
        text,
        feed: (chunk, at) => {
          // Only the boundary needs a copy: a needle split over two reads.
          const found = chunk.indexOf(needle) !== -1 || (carry.length > 0 && Buffer.concat([carry, chunk.subarray(0, needle.length - 1)]).indexOf(needle) !== -1);
          if (found) return done(() => resolve(at));
          carry = Buffer.from(chunk.length >= needle.length - 1 ? chunk.subarray(chunk.length - (needle.length - 1)) : Buffer.concat([carry, chunk]).subarray(-(needle.length - 1)));
        },
        fail: (error) => done(() => reject(error)),
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`timed out after ${timeoutMs} ms waiting for ${JSON.stringify(text)}; last output ${JSON.stringify(this.tail.toString('utf8').slice(-300))}`)),
        timeoutMs,
      );
      const done = (settle) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        settle();
      };
      this.waiters.add(waiter);
    });
  }

  write(data) {
    this.term.write(data);
  }

  /** Ends the client (SIGTERM: both ccmux and tmux clients detach on it), bounded; SIGKILL if it lingers. */
  async close(timeoutMs = 5000) {
    if (this.exit) return;
    try {
      this.term.kill('SIGTERM');
    } catch {
      // Gone.
    }
    const timer = setTimeout(() => {
      try {
        this.term.kill('SIGKILL');
      } catch {
        // Gone.
      }
    }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
