// `ccmux ls` for people, in a real terminal: a table that fits, states in colour (not with NO_COLOR or
// when piped), the agent state and what it waits for; `ls -w` redrawing in place until q.
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { fakeClaudePath } from '../helpers/fake-claude';
import { TestTerminal } from '../helpers/terminal';

let home: CcmuxHome;
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.dispose();
  await home.cleanup();
});

function inTerminal(args: string[], options: { cols?: number; rows?: number; env?: Record<string, string> } = {}): TestTerminal {
  const { file, args: prefix } = ccmuxCommand();
  const terminal = new TestTerminal(file, [...prefix, ...args], { cols: options.cols ?? 100, rows: options.rows ?? 20, env: { ...home.env, ...options.env }, cwd: home.dir });
  terminals.push(terminal);
  return terminal;
}

async function startSessions(): Promise<void> {
  await home.newSession(['sh', '-c', 'exit 2'], ['-s', 'broken']);
  await home.run(['wait', 'broken', '--until', 'exit']);
  await home.newSession(['bash', '-c', 'echo up; exec sleep 600 # a long command line that will not fit a narrow terminal'], ['-s', 'server']);
}

describe('ls for people', () => {
  it('fits the terminal, colours the states, and shows relative times', async () => {
    home = new CcmuxHome();
    await startSessions();
    const wide = inTerminal(['ls'], { cols: 200 });
    expect((await wide.exited).exitCode).toBe(0);
    const table = await wide.screen();
    expect(table.split('\n')[0]).toMatch(/^NAME\s+ID\s+STATE\s+AGENT\s+CLIENTS\s+SIZE\s+CREATED\s+LAST OUTPUT\s+PID\s+COMMAND$/);
    expect(table).toMatch(/broken .* exited \(code 2\) .* - /);
    expect(table).toMatch(/server .* running .* (working|idle|starting) \d+s .* (now|\d+s ago) /);
    expect(wide.output()).toContain('\x1b[32mrunning\x1b[39m');
    expect(wide.output()).toContain('\x1b[31mexited (code 2)\x1b[39m');

    const narrow = inTerminal(['ls'], { cols: 50 });
    await narrow.exited;
    const lines = (await narrow.screen()).split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+AGENT\s+LAST OUTPUT$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(50);

    const plain = inTerminal(['ls'], { cols: 200, env: { NO_COLOR: '1' } });
    await plain.exited;
    expect(plain.output()).not.toMatch(/\x1b\[\d+m/);
    // Piped: no colour, no width limit; --json is unchanged for scripts.
    const piped = await home.ok(['ls']);
    expect(piped).not.toContain('\x1b');
    expect(piped).toContain('a long command line that will not fit a narrow terminal');
    expect(JSON.parse(await home.ok(['ls', '--json'])).map((session: { name: string }) => session.name)).toEqual(['broken', 'server']);
  });

  it('shows what an agent waits for', async () => {
    home = new CcmuxHome();
    await home.newSession(['claude'], ['-s', 'claude', '-e', `PATH=${fakeClaudePath(home.dir)}`, '-e', 'FAKE_CLAUDE_NO_7501=1']);
    expect((await home.run(['wait', 'claude', '--until', 'idle', '--timeout', '20'])).code).toBe(0);
    await home.ok(['send', 'claude', 'run bash please']);
    expect((await home.run(['wait', 'claude', '--until', 'needs-input', '--timeout', '20'])).code).toBe(0);
    expect(await home.ok(['ls'])).toMatch(/claude .* running +needs-input \(permission\) \d+s /);
  });

  it('-w redraws in place until q, then leaves the last table on the screen', async () => {
    home = new CcmuxHome();
    await startSessions();
    const watch = inTerminal(['ls', '-w', '--interval', '0.2'], { cols: 120 });
    await watch.waitForScreen((s) => s.includes('server') && s.includes('1 running · 1 ended'), 'the first frame');
    expect(watch.output()).toContain('\x1b[?1049h');
    expect(await watch.screen()).toMatch(/^ccmux ls -w · every 0\.2s · q quits +\d\d:\d\d:\d\d\n/);

    await home.newSession(['sleep', '600'], ['-s', 'newcomer']);
    await watch.waitForScreen((s) => s.includes('newcomer') && s.includes('2 running · 1 ended'), 'the redraw with the new session');
    await home.ok(['kill', 'server']);
    await watch.waitForScreen((s) => /server .* exited/.test(s) && s.includes('1 running · 2 ended'), 'the redraw after the kill');

    watch.write('q');
    expect((await watch.exited).exitCode).toBe(0);
    const after = await watch.screen();
    expect(after).toMatch(/^NAME\s+STATE\s+AGENT/m);
    expect(after).toContain('newcomer');
    expect(after).not.toContain('q quits');
  });

  it('-w stops on Ctrl-C too, and refuses to run without a terminal', async () => {
    home = new CcmuxHome();
    const watch = inTerminal(['ls', '-w']);
    await watch.waitForScreen((s) => s.includes('no sessions'), 'the first frame');
    watch.write('\x03');
    expect((await watch.exited).exitCode).toBe(0);
    const piped = await home.run(['ls', '-w']);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toBe('ccmux: ls --watch needs a terminal; scripts can follow changes with `ccmux events --json`\n');
  });
});
