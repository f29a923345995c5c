// Where a command's (possibly huge) output goes: stdout with backpressure, or a file written atomically
// (a private temp file renamed into place, so a failed export never leaves half a file behind).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError } from '../errors';

/** Pieces are gathered to about this size before each write. */
const BATCH_BYTES = 256 * 1024;

export interface OutputSink {
  /** Resolves when the piece may be followed by the next; false once the reader went away (EPIPE). */
  write(piece: string | Uint8Array): Promise<boolean>;
  /** Everything is written (and, for a file, in place). */
  close(): Promise<void>;
  /** Gives up: a temp file is removed. */
  abort(): void;
}

/** Gathers small pieces (cast lines) into larger writes. */
function batched(flush: (chunk: Buffer) => Promise<boolean>): Pick<OutputSink, 'write'> & { drain(): Promise<boolean> } {
  let parts: Buffer[] = [];
  let bytes = 0;
  const drain = async (): Promise<boolean> => {
    if (!parts.length) return true;
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    bytes = 0;
    return flush(chunk);
  };
  return {
    async write(piece) {
      const buffer = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      parts.push(buffer);
      bytes += buffer.length;
      return bytes >= BATCH_BYTES ? drain() : true;
    },
    drain,
  };
}

export function stdoutSink(): OutputSink {
  const stdout = process.stdout;
  let closed = false;
  let failure: Error | undefined;
  // A reader that stops early (`| head`) ends the export quietly, as it would `cat`.
  const onError = (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE') failure = new CcmuxError('io', `cannot write to stdout: ${error.message}`);
  };
  stdout.on('error', onError);
  const settled = (resolve: (more: boolean) => void, reject: (error: Error) => void) => (failure ? reject(failure) : resolve(!closed));
  const sink = batched(
    (chunk) =>
      new Promise((resolve, reject) => {
        if (closed) return settled(resolve, reject);
        if (stdout.write(chunk)) return settled(resolve, reject);
        const done = () => {
          stdout.off('drain', done);
          stdout.off('close', done);
          settled(resolve, reject);
        };
        stdout.on('drain', done);
        stdout.on('close', done);
      }),
  );
  return {
    write: sink.write,
    async close() {
      await sink.drain();
      stdout.off('error', onError);
    },
    abort() {
      stdout.off('error', onError);
    },
  };
}

/** Writes `file` as a whole or not at all, readable by this user only (recordings hold secrets). */
export function atomicFileSink(file: string): OutputSink {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } catch (error) {
    throw new CcmuxError('io', `cannot write ${file}: ${(error as Error).message}`);
  }
  let open = true;
  const fail = (error: unknown): never => {
    abort();
    throw new CcmuxError('io', `cannot write ${file}: ${(error as Error).message}`);
  };
  const abort = () => {
    if (open) fs.closeSync(fd);
    open = false;
    fs.rmSync(temp, { force: true });
  };
  const sink = batched(async (chunk) => {
    try {
      for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd, chunk, at);
    } catch (error) {
      fail(error);
    }
    return true;
  });
  return {
    write: sink.write,
    async close() {
      await sink.drain();
      try {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        open = false;
        fs.renameSync(temp, target);
      } catch (error) {
        fail(error);
      }
    },
    abort,
  };
}
