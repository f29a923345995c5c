// End-to-end with the REAL Claude Code CLI (pinned; `make deps-claude-code`) in a session of the single
// binary, offline against a mock Messages API: agent states and their sources, the hooks, the notify
// plugin, and how long each signal takes (CCMUX_LATENCY_ROUNDS=N for more rounds; bench/agent-latency.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { delayTable, paceTable, roundDelays, type Notified, type Round, type TimelineEntry } from '../helpers/agent-latency';
import { CcmuxHome, ROOT } from '../helpers/ccmux';
import { claudeEnv, claudeSandbox } from '../helpers/claude-code';
import { MockAnthropic, lastUserTurn, type MessagesRequest, type Reply } from '../helpers/mock-anthropic';
import { waitUntil } from '../helpers/wait-until';

// "Works from the single binary": the daemon, the CLI and the hooks Claude Code runs are all dist/ccmux.
const BINARY = process.env.CCMUX_BIN ?? path.join(ROOT, 'dist', 'ccmux');
process.env.CCMUX_BIN = BINARY;
const ROUNDS = Number(process.env.CCMUX_LATENCY_ROUNDS ?? 1);
/** The notify plugin waits this long before "done" (the agent might carry on); its default is 3 s. */
const GRACE_SECONDS = 0.5;

let home: CcmuxHome | undefined;
let mock: MockAnthropic | undefined;

afterEach(async () => {
  await home?.cleanup();
  await mock?.close();
  home = mock = undefined;
});

/** `bash -c …` asks for permission (a plain `echo` is classed read-only and would just run). */
function script(request: MessagesRequest): Reply {
  const turn = lastUserTurn(request);
  if (/run bash/.test(turn.text)) return { tool: { name: 'Bash', input: { command: "bash -c 'echo hi'", description: 'Print hi' } } };
  if (turn.toolResult && !turn.toolResult.isError) return { text: `The command printed ${turn.toolResult.content.trim()}, all done.` };
  return { text: 'Nothing to do.' };
}

interface AgentJson {
  name: string;
  pid: number | null;
  createdAt: number;
  agent: { state: string; waitingFor: string | null; source: string; agent: string | null; reason: string };
}

async function session(): Promise<AgentJson> {
  return (await home!.json<AgentJson[]>(['ls'])).find((s) => s.name === 'claude')!;
}

async function until(condition: string): Promise<void> {
  const result = await home!.run(['wait', 'claude', '--until', condition, '--timeout', '20'], { timeoutMs: 25_000 });
  if (result.code === 0) return;
  const screen = await home!.peek('claude').catch((error: Error) => error.message);
  throw new Error(`wait --until ${condition} exited ${result.code}; agent ${JSON.stringify((await session()).agent)}\nAPI:\n${mock!.describe()}\nscreen:\n${screen}`);
}

const DIALOG = /Do you want to proceed\?/;

/** Waits for the permission dialog to be drawn; returns the screen. */
async function dialog(): Promise<string> {
  await until(`match=${DIALOG.source}`);
  return home!.peek('claude');
}

/**
 * Presses `key` in the dialog until it is gone. Claude Code drops keys that arrive as the dialog is
 * drawn (it listens a moment later; under load that moment grows), so a key it dropped is pressed again.
 */
async function answer(key: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await home!.ok(['send', 'claude', '--keys', key]);
    const taken = await waitUntil('the dialog to close', async () => !DIALOG.test(await home!.peek('claude')), { timeoutMs: 2000 }).then(
      () => true,
      () => false,
    );
    if (taken) return;
    if (attempt === 5) throw new Error(`the dialog ignored ${key} five times:\n${await home!.peek('claude')}`);
  }
}

async function timeline(): Promise<TimelineEntry[]> {
  const lines = (await home!.ok(['export', 'claude', '--format', 'jsonl'])).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as TimelineEntry).filter((entry) => entry.type !== 'output');
}

/** The timeline once it holds `what` (events reach the store a moment after they happen). */
function timelineWith(description: string, what: (entries: TimelineEntry[]) => boolean): Promise<TimelineEntry[]> {
  return waitUntil(description, async () => {
    const entries = await timeline();
    return what(entries) ? entries : undefined;
  });
}

/** Starts the real `claude` in a session named claude, with the notify plugin writing to a file; waits for its prompt. */
async function startClaude(): Promise<{ notified: string }> {
  mock = await MockAnthropic.start(script);
  home = new CcmuxHome();
  const sandbox = claudeSandbox(home.dir);
  // Nothing of this machine's environment (an API key, an outer Claude Code's variables…) reaches it.
  for (const key of Object.keys(home.env)) delete home.env[key];
  Object.assign(home.env, { PATH: `${sandbox.bin}:/usr/bin:/bin`, HOME: sandbox.home, TERM: 'xterm-256color', LANG: 'C.UTF-8', CCMUX_HOME: home.dir });
  const notified = path.join(home.dir, 'notified.txt');
  const sink = `echo "$(date +%s%3N) $CCMUX_NOTIFY_KIND $CCMUX_NOTIFY_TITLE" >> ${notified}`;
  // No rate limit: one state change must make one notification however many signals confirm it.
  const notify = { desktop: false, terminal: false, command: sink, graceSeconds: GRACE_SECONDS, minIntervalSeconds: 0 };
  fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ plugins: { notify } }));
  const env = Object.entries(claudeEnv(sandbox, mock.url)).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  await home.newSession(['claude', '--permission-mode', 'default'], ['-s', 'claude', '-c', sandbox.project, '-x', '100', '-y', '30', ...env]);
  home.track((await session()).pid ?? undefined);
  await until('idle');
  return { notified };
}

function notifications(file: string): Notified[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ at: Number(line.split(' ')[0]), kind: line.split(' ')[1]! }));
}

describe('the real Claude Code in ccmux', () => {
  it('goes idle → working → needs-input (permission) → working → idle, with one notification per question', async () => {
    const { notified } = await startClaude();
    expect((await session()).agent).toMatchObject({ state: 'idle', agent: 'claude-code' });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const current: Round = { promptAt: Date.now(), approveAt: Infinity, endAt: Infinity };
      rounds.push(current);
      await home!.ok(['send', 'claude', 'please run bash']);
      await until('needs-input');
      expect((await session()).agent).toMatchObject({ state: 'needs-input', waitingFor: 'permission' });
      await dialog();
      current.approveAt = Date.now();
      await answer('1');
      await until('idle');
      await waitUntil('the done notification', () => notifications(notified).filter((line) => line.kind === 'done').length === round + 1, {
        detail: () => (fs.existsSync(notified) ? fs.readFileSync(notified, 'utf8') : 'nothing notified'),
      });
      current.endAt = Date.now();
    }
    expect(await home!.peek('claude')).toContain('The command printed hi, all done.');

    const entries = await timelineWith('the Stop hook on the timeline', (all) => all.filter((entry) => entry.event === 'Stop').length === ROUNDS);
    const hooks = entries.filter((entry) => entry.type === 'hook');
    expect(hooks[0]).toMatchObject({ event: 'SessionStart', delayMs: expect.any(Number) });
    expect(hooks.map((hook) => hook.event)).toEqual(expect.arrayContaining(['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']));
    const states = entries.filter((entry) => entry.type === 'state');
    const turn = states.slice(states.findIndex((state) => state.from === 'idle' && state.to === 'working')).slice(0, 4);
    expect(turn.map((state) => [state.to, state.waitingFor])).toEqual([
      ['working', null],
      ['needs-input', 'permission'],
      ['working', null],
      ['idle', null],
    ]);
    // Claude Code's own signals decide (hooks and OSC 7501 race; neither the screen nor the title is needed).
    for (const state of turn) expect(['hook', 'osc7501']).toContain(state.source);

    // Each question was notified once, although OSC 7501, the PermissionRequest hook and the screen all said so.
    expect(notifications(notified).map((line) => line.kind)).toEqual(Array.from({ length: ROUNDS }, () => ['needs-input', 'done']).flat());
    expect(mock!.unexpected).toEqual([]);
    expect(mock!.messages).toHaveLength(2 * ROUNDS);

    const delays = roundDelays(entries, (await session()).createdAt, notifications(notified), rounds, GRACE_SECONDS * 1000);
    const note = `(a "done" notification also waits the notify plugin's grace period; CCMUX_LATENCY_ROUNDS=N for more rounds)`;
    console.log(`${delayTable(delays)}\n${note}\n\n${paceTable(rounds, mock!.messages, delays)}`);
  }, 60_000 + ROUNDS * 10_000);

  it('returns to idle after a denial (Esc, or "No"), which only OSC 7501 reports', async () => {
    await startClaude();
    for (const denial of ['Escape', 'No']) {
      await home!.ok(['send', 'claude', 'please run bash']);
      await until('needs-input');
      const screen = await dialog();
      const no = /(\d)\. No\b/.exec(screen)?.[1];
      expect(no, screen).toBeDefined();
      await answer(denial === 'Escape' ? 'Escape' : no!);
      await until('idle');
      expect((await session()).agent).toMatchObject({ state: 'idle', source: 'osc7501' });
    }
    const entries = await timelineWith('both denials on the timeline', (all) => all.filter((entry) => entry.to === 'idle' && entry.from === 'needs-input').length === 2);
    // No hook at all for a denial: hooks alone would have left the session waiting for input.
    expect(entries.filter((entry) => entry.type === 'hook').map((hook) => hook.event)).not.toContain('Stop');
    expect(entries.filter((entry) => entry.from === 'needs-input').map((state) => [state.to, state.source])).toEqual([
      ['idle', 'osc7501'],
      ['idle', 'osc7501'],
    ]);
    expect(await home!.peek('claude')).toContain('Interrupted');
    expect(mock!.messages).toHaveLength(2);
  });
});
