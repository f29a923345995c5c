// Memory: PSS (from /proc/<pid>/smaps_rollup) of the multiplexer's own processes — ccmux's daemon, tmux's
// server — holding 1, 10 and 50 idle sessions, and 10 sessions of 10 000 lines each.
import * as fs from 'node:fs';
import { Ccmux, Tmux, pssParts, sleep, waitFor } from './lib/harness.mjs';
import { LONG_LINES } from './startup.mjs';
import { logPayload } from './payload.mjs';

const MiB = 1024 * 1024;

/**
 * PSS once the process has settled: the lowest of 8 readings 250 ms apart, after a quiet spell. V8's heaps swing
 * by a few MiB between collections, and its memory reducer gives back what a burst of output grew only ~10 s
 * after the burst (measured: 10 sessions of 10 000 lines, 229 → 190 MiB); tmux has no collector to wait for.
 */
async function settledPss(mux, parts) {
  await sleep(mux.label === 'ccmux' ? 10_000 : 1000);
  const readings = [];
  for (let i = 0; i < 8; i++) {
    readings.push(pssParts(mux.pids()));
    await sleep(250);
  }
  const lowest = readings.reduce((low, reading) => (reading.pss < low.pss ? reading : low));
  parts?.push(lowest);
  return lowest.pss;
}

async function idle(mux, counts, parts) {
  const result = {};
  let sessions = 0;
  for (const count of counts) {
    for (; sessions < count; sessions++) mux.newSession(`idle${sessions}`, ['sleep', '100000']);
    result[count] = await settledPss(mux, parts);
  }
  return result;
}

async function long(mux, work, count, file, parts) {
  const ready = 'BENCH-LINES-DONE';
  for (let i = 0; i < count; i++) mux.newSession(`long${i}`, ['sh', '-c', `cat ${file}; echo ${ready}; exec sleep 100000`]);
  for (let i = 0; i < count; i++) {
    const screen = mux.label === 'ccmux' ? () => mux.run(['peek', `long${i}`]) : () => mux.run(['capture-pane', '-p', '-t', `long${i}`]);
    await waitFor(`${mux.label} session long${i} to print its lines`, () => screen().includes(ready), 60_000, 50);
  }
  return settledPss(mux, parts);
}

export async function memory({ work, withTmux, counts = [1, 10, 50], longSessions = 10, log }) {
  const file = work.path('memory-long.txt');
  const lines = logPayload(3 * MiB, 7).toString('utf8').split('\n').slice(0, LONG_LINES);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const [first, last] = [counts[0], counts[counts.length - 1]];
  const result = {};
  // A fresh daemon (server) for each measurement; tmux gets the history-limit that lets it hold the lines.
  const makers = [
    (kind) => new Ccmux(work, `ccmux-memory-${kind}`),
    ...(withTmux ? [(kind) => new Tmux(work, `bench-memory-${kind}-${process.pid}`, { historyLimit: LONG_LINES + 100 })] : []),
  ];
  for (const make of makers) {
    let mux = make('idle');
    try {
      const parts = [];
      const idlePss = await idle(mux, counts, parts);
      log(`memory: ${mux.label} idle ${counts.map((c) => `${c}: ${(idlePss[c] / MiB).toFixed(1)} MiB`).join(', ')}`);
      await mux.stop();
      mux = make('long');
      const longPss = await long(mux, work, longSessions, file, parts);
      log(`memory: ${mux.label} ${longSessions} sessions × ${LONG_LINES} lines: ${(longPss / MiB).toFixed(1)} MiB`);
      result[mux.label] = {
        idle: idlePss,
        perIdleSession: (idlePss[last] - idlePss[first]) / (last - first),
        longSessions: longPss,
        // What holding the lines costs a session: over the same number of idle sessions.
        perLongSession: (longPss - (idlePss[longSessions] ?? idlePss[first])) / longSessions,
        // Anonymous (heaps) and file-backed (executable, store map) PSS of each reading above, in order.
        parts,
      };
    } finally {
      await mux.stop();
    }
  }
  return { counts, longSessions, lines: LONG_LINES, bytesPerSession: fs.statSync(file).size, multiplexers: result };
}
