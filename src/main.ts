// Entry point: runs the CLI (or the daemon) and is the only place that turns errors into an exit.
import { runCli } from './cli';
import { CcmuxError, EXIT, describeError } from './errors';

/** Build checks of the single binary (docs/BUILD.md), kept out of the command table on purpose. */
async function runSelfTest(name: string): Promise<number> {
  if (name !== 'lmdb') throw new CcmuxError('usage', `unknown CCMUX_SELFTEST "${name}" (known: lmdb)`);
  const { lmdbSelfTest } = await import('./store/lmdb-selftest');
  return lmdbSelfTest((text) => process.stdout.write(`${text}\n`));
}

/** A reader that goes away (`ccmux search x | head`) ends the command quietly, as it would `cat`. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (process.stdout.listenerCount('error') > 1) return; // the command handles it (export, tail, replay)
    if (error.code !== 'EPIPE') process.stderr.write(`ccmux: cannot write to stdout: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? EXIT.ok : EXIT.failure);
  });
}

async function main(): Promise<void> {
  quietOnClosedStdout();
  let status: number;
  try {
    const selfTest = process.env.CCMUX_SELFTEST;
    status = selfTest ? await runSelfTest(selfTest) : await runCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CcmuxError) {
      process.stderr.write(`ccmux: ${error.message}\n`);
      status = error.exitCode;
    } else {
      process.stderr.write(`ccmux: ${describeError(error)}\n`);
      if (process.env.CCMUX_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      status = EXIT.failure;
    }
  }
  // Exit only after stdout has been flushed (it may be a pipe).
  process.exitCode = status;
  if (process.stdout.writableLength === 0) process.exit(status);
  process.stdout.once('drain', () => process.exit(status));
}

void main();
