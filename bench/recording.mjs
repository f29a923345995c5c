// Recording: bytes stored per MiB of output (logs, agent-TUI redraws), search over a 1 GiB recording, seek in it
// (`replay --from T` until the first screen is drawn) and replay start — all with the built binary.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Ccmux, median, quantile, require, timeCommand } from './lib/harness.mjs';
import { PtyClient } from './lib/pty-client.mjs';

const MiB = 1024 * 1024;
/** The player draws each screen between synchronized-output brackets; the closing one ends a repaint. */
const SYNC_END = '\x1b[?2026l';

/** What a session's recording takes in the store, by sub-database (read-only, with lmdb from node_modules). */
async function storeBreakdown(storeDir, id) {
  const lmdb = require('lmdb');
  const env = lmdb.open({ path: storeDir, maxDbs: 8, pageSize: 4096, readOnly: true });
  try {
    const sizes = {};
    for (const name of ['output', 'lines', 'keyframes', 'events']) {
      const db = env.openDB({ name, encoding: name === 'events' ? 'string' : 'binary' });
      let bytes = 0;
      let entries = 0;
      for (const { value } of db.getRange({ start: [id, 0], end: [id, Number.MAX_SAFE_INTEGER] })) {
        bytes += value.length;
        entries++;
      }
      sizes[name] = { bytes, entries };
    }
    return sizes;
  } finally {
    await env.close();
  }
}

function storeFileBytes(ccmux) {
  try {
    return fs.statSync(join(ccmux.env.CCMUX_HOME, 'store', 'data.mdb')).size;
  } catch {
    return 0;
  }
}

/** Runs `argv` in a new session to its end; returns the session's recording numbers once the exit is committed. */
async function record(ccmux, name, argv, timeoutSeconds) {
  const storeBefore = storeFileBytes(ccmux);
  const started = performance.now();
  ccmux.newSession(name, argv);
  ccmux.run(['wait', name, '--until', 'exit', '--timeout', String(timeoutSeconds)], { timeoutMs: (timeoutSeconds + 10) * 1000 });
  const seconds = (performance.now() - started) / 1000;
  const session = ccmux.session(name);
  if (session.exit?.code !== 0) throw new Error(`session ${name} exited ${JSON.stringify(session.exit)}`);
  return {
    seconds,
    outputBytes: session.recording.outputBytes,
    storedBytes: session.recording.storedBytes,
    storeFileGrowth: storeFileBytes(ccmux) - storeBefore,
    breakdown: await storeBreakdown(join(ccmux.env.CCMUX_HOME, 'store'), session.id),
    session,
  };
}

function storage(result) {
  const { outputBytes, storedBytes, storeFileGrowth, breakdown } = result;
  const perMiB = (bytes) => bytes / (outputBytes / MiB);
  return {
    outputBytes,
    storedBytes,
    ratio: storedBytes / outputBytes,
    storedPerMiB: perMiB(storedBytes),
    storeFileGrowth,
    breakdownPerMiB: Object.fromEntries(Object.entries(breakdown).map(([name, { bytes, entries }]) => [name, { bytes: perMiB(bytes), entries }])),
  };
}

/** Spawns `ccmux replay ARGS` on a PTY; resolves with ms until the first byte and until the first screen is drawn. */
async function timeReplay(ccmux, work, args) {
  const started = performance.now();
  let firstByte;
  const client = new PtyClient(ccmux.file, ['replay', ...args], { env: ccmux.env, cwd: work.dir, cols: 80, rows: 24, raw: false });
  client.onChunk = (chunk, at) => (firstByte ??= at);
  try {
    const drawn = await client.expect(SYNC_END, 30_000);
    return { firstByteMs: firstByte - started, screenMs: drawn - started };
  } finally {
    await client.close();
  }
}

export async function recording({ work, logFile, tuiFile, searchCopies, seeks, rounds, log }) {
  const ccmux = new Ccmux(work, 'ccmux-recording');
  try {
    // Storage per MiB of output.
    const logs = storage(await record(ccmux, 'logs', ['cat', logFile], 600));
    log(`recording: logs ${(logs.storedPerMiB / 1024).toFixed(0)} KiB stored per MiB (${logs.ratio.toFixed(3)} of raw)`);
    const tui = storage(await record(ccmux, 'tui', ['cat', tuiFile], 600));
    log(`recording: agent TUI ${(tui.storedPerMiB / 1024).toFixed(0)} KiB stored per MiB (${tui.ratio.toFixed(3)} of raw)`);

    // A 1 GiB recording: the log payload catted `searchCopies` times.
    const big = await record(ccmux, 'big', ['bash', '-c', `for ((i = 0; i < ${searchCopies}; i++)); do cat ${logFile}; done`], 1800);
    const bigStorage = storage(big);
    log(`recording: ${(big.outputBytes / MiB).toFixed(0)} MiB recorded in ${big.seconds.toFixed(1)} s (${(big.outputBytes / MiB / big.seconds).toFixed(1)} MiB/s, detached)`);

    // Search, end to end: a pattern with no match (every block scanned) and one with a few distinct hits.
    const patterns = { 'no match': 'no-such-text-in-any-log', 'some hits': 'id=4242' };
    const search = {};
    for (const [label, pattern] of Object.entries(patterns)) {
      const times = [];
      for (let i = 0; i < rounds; i++) times.push(await timeCommand(ccmux.file, ['search', '-s', 'big', pattern], ccmux.env, { allowStatus: [0, 1], timeoutMs: 120_000 }));
      search[label] = { pattern, median: median(times), samples: times };
      log(`recording: search "${pattern}" over ${(big.outputBytes / 1024 ** 3).toFixed(2)} GiB: ${median(times).toFixed(0)} ms`);
    }

    // Replay start (the first screen at 0) and seeks to random times (the screen at T), on a PTY.
    const durationMs = (big.session.exitedAt - big.session.createdAt);
    const start = [];
    for (let i = 0; i < rounds; i++) start.push(await timeReplay(ccmux, work, ['big']));
    const seek = [];
    let seed = 11;
    for (let i = 0; i < seeks; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const targetSeconds = Math.max(1, Math.floor(((seed / 2 ** 31) * durationMs) / 1000));
      seek.push({ targetSeconds, ...(await timeReplay(ccmux, work, ['big', '--from', String(targetSeconds)])) });
    }
    const replay = {
      recordingSeconds: durationMs / 1000,
      start: { firstByteMs: median(start.map((s) => s.firstByteMs)), screenMs: median(start.map((s) => s.screenMs)), samples: start },
      seek: {
        median: median(seek.map((s) => s.screenMs)),
        p90: quantile(seek.map((s) => s.screenMs), 0.9),
        max: quantile(seek.map((s) => s.screenMs), 1),
        samples: seek,
      },
    };
    // The seek itself, without the process start and store open that every replay pays.
    replay.seek.overStartMs = replay.seek.median - replay.start.screenMs;
    log(`recording: replay start ${replay.start.screenMs.toFixed(0)} ms to the first screen; seek ${replay.seek.median.toFixed(0)} ms median, ${replay.seek.max.toFixed(0)} ms max`);
    return {
      logs,
      tui,
      big: { ...bigStorage, seconds: big.seconds, mibps: big.outputBytes / MiB / big.seconds },
      search,
      replay,
    };
  } finally {
    await ccmux.stop();
    fs.rmSync(ccmux.env.CCMUX_HOME, { recursive: true, force: true });
  }
}
