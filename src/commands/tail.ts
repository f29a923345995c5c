// `ccmux tail`: the last lines of a session's output as text (or raw bytes); -f follows it until it ends.
// Through the daemon when one runs (its screen mirror for running sessions, so no lmdb here), from the
// store when none does (then every session has ended or was lost).
import type { DaemonConnection } from '../client/connection';
import { CcmuxError, EXIT } from '../errors';
import type { ServerMessage } from '../protocol/messages';
import { LineRenderer } from '../recording/line-renderer';
import { findRecording, openRecordings } from '../recording/recordings';
import { lastIndexedLines, lastRawLines, MAX_RAW_TAIL_BYTES } from '../recording/tail';
import type { CommandContext, CommandSpec } from './command';
import { integerOption } from './options';

type TailEnd = Extract<ServerMessage, { type: 'tail-end' }>;

/** stdout with backpressure onto the daemon connection, and a reader that went away (`| head`) as the end. */
class Output {
  private gone = false;
  onGone: () => void = () => {};

  constructor(private readonly connection?: DaemonConnection) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      this.gone = true;
      if (error.code === 'EPIPE') this.onGone();
    });
  }

  write(data: string | Buffer): void {
    if (this.gone || !data.length) return;
    if (!process.stdout.write(data) && this.connection) {
      this.connection.pause();
      process.stdout.once('drain', () => this.connection?.resume());
    }
  }

  lines(lines: string[]): void {
    if (lines.length) this.write(`${lines.join('\n')}\n`);
  }
}

function last<T>(items: T[], count: number): T[] {
  return items.slice(Math.max(0, items.length - count));
}

async function viaDaemon(connection: DaemonConnection, ref: string, count: number, follow: boolean, raw: boolean): Promise<number> {
  const out = new Output(connection);
  // Text output is rendered here, not in the daemon: escape sequences stripped, CR overwrites applied.
  const renderer = new LineRenderer((line) => out.write(`${line.text}\n`));
  let ready = false;
  const early: (Buffer | TailEnd)[] = [];
  let finish: (status: number) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const ended = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Awaited only once following; a connection that fails before that is reported by the request.
  ended.catch(() => undefined);
  const end = (message: TailEnd) => {
    if (message.reason === 'behind') {
      fail(new CcmuxError('unavailable', `tail: fell more than ${MAX_RAW_TAIL_BYTES / 1024 / 1024} MiB behind the session's output; stopped`));
      return;
    }
    if (!raw) renderer.commit();
    finish(EXIT.ok);
  };
  const output = (data: Buffer) => {
    if (raw) out.write(data);
    else renderer.write(data, 0, 0);
  };
  out.onGone = () => finish(EXIT.ok);
  connection.setStreamHandlers({
    output(data) {
      // Raw bytes (the snapshot, then live) are in order already; text waits for the snapshot.
      if (raw || ready) output(data);
      else early.push(data);
    },
    message(message) {
      if (message.type !== 'tail-end') return;
      if (ready) end(message);
      else early.push(message);
    },
    close() {
      fail(new CcmuxError('unavailable', 'the daemon closed the connection'));
    },
  });
  try {
    const result = await connection.request('tail', { session: ref, lines: count, follow, raw });
    if (!raw) {
      if (result.following) {
        // The unfinished line is shown once finished: the live output continues it, from the cursor.
        out.lines(last(result.lines, count));
        const { partial, cursor } = result;
        renderer.write(Buffer.from(cursor < partial.length ? `${partial}\r${partial.slice(0, cursor)}` : partial, 'utf8'), 0, 0);
      } else {
        const partial = result.partial.trimEnd();
        out.lines(last(partial ? [...result.lines, partial] : result.lines, count));
      }
    }
    if (!result.following) return EXIT.ok;
    ready = true;
    for (const item of early.splice(0)) {
      if (Buffer.isBuffer(item)) output(item);
      else end(item);
    }
    return await ended;
  } finally {
    connection.close();
  }
}

/** No daemon: every session has ended (or was lost), so the store has all there is. */
async function viaStore(context: CommandContext, ref: string, count: number, raw: boolean): Promise<number> {
  const store = openRecordings(context.paths);
  try {
    const meta = findRecording(store, ref);
    const out = new Output();
    if (raw) out.write(lastRawLines(store, meta.id, count));
    else out.lines(lastIndexedLines(store, meta.id, count));
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

export const tailCommand: CommandSpec = {
  name: 'tail',
  args: '<name>',
  summary: "the last lines of a session's output, also once it ended; -f follows until it ends",
  group: 'Watch',
  examples: [
    'ccmux tail build',
    'ccmux tail -f build                 # new lines as they come, until build ends',
    'ccmux tail -n 200 claude | less',
    'ccmux tail --raw -n 5 build | cat -v # the bytes the program wrote, escape sequences and all',
  ],
  options: [
    { flags: '-n, --lines <count>', description: 'how many lines (default 10)' },
    { flags: '-f, --follow', description: 'keep printing new lines as they come until the session ends' },
    { flags: '--raw', description: `the bytes the program wrote, escape sequences included (at most ${MAX_RAW_TAIL_BYTES / 1024 / 1024} MiB before following)` },
  ],
  async run(context) {
    const count = integerOption(context, 'lines', 0, 1_000_000) ?? 10;
    const follow = Boolean(context.options.follow);
    const raw = Boolean(context.options.raw);
    const ref = context.args[0]!;
    let connection: DaemonConnection;
    try {
      connection = await context.connect();
    } catch (error) {
      if ((error as { code?: string }).code !== 'no-daemon') throw error;
      return viaStore(context, ref, count, raw);
    }
    return viaDaemon(connection, ref, count, follow, raw);
  },
};
