// `ccmux replay` through a real PTY against real recordings: timing, seeking, keys, live sessions,
// a killed daemon, the terminal given back, and plain bytes when stdout is not a terminal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CcmuxHome, alive, ccmuxCommand } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

const TUI = [process.execPath, path.join(__dirname, '..', 'fixtures', 'tui.cjs')];
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.dispose();
});

function replayTerminal(home: CcmuxHome, args: string[], size = { cols: 100, rows: 30 }): TestTerminal {
  const { file, args: prefix } = ccmuxCommand();
  const terminal = new TestTerminal(file, [...prefix, 'replay', ...args], { ...size, env: home.env, cwd: home.dir });
  terminals.push(terminal);
  return terminal;
}

/** When each text first reached the terminal (performance.now()), recorded as the bytes arrive. */
function arrivals(terminal: TestTerminal, texts: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  let output = '';
  terminal.process.onData((data: string | Buffer) => {
    output += data.toString();
    for (const text of texts) if (!seen.has(text) && output.includes(text)) seen.set(text, performance.now());
  });
  return seen;
}

/** Checks that `predicate` stays true for `ms` (e.g. nothing plays while paused). */
async function holds(description: string, predicate: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (!(await predicate())) throw new Error(`stopped holding: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The terminal state a replayed program switches on and replay must switch off. */
const modes = ({ term }: TestTerminal) => ({
  screen: term.buffer.active.type,
  mouse: term.modes.mouseTrackingMode,
  paste: term.modes.bracketedPasteMode,
  cursorKeys: term.modes.applicationCursorKeysMode,
});

const lastRow = async (terminal: TestTerminal) => {
  await terminal.settled();
  const buffer = terminal.term.buffer.active;
  return buffer.getLine(buffer.baseY + terminal.term.rows - 1)?.translateToString(true) ?? '';
};

describe('replay timing', () => {
  let home: CcmuxHome;
  beforeAll(async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo MARK-A; sleep 1; echo MARK-B; sleep 1; echo MARK-C'], ['-s', 'timed']);
    expect((await home.run(['wait', 'timed', '--until', 'exit', '--timeout', '30'])).code).toBe(0);
  });
  afterAll(() => home.cleanup());

  it.each([
    { args: [], gap: 1000 },
    { args: ['--speed', '4'], gap: 250 },
    { args: ['--idle-limit', '0.2'], gap: 200 },
  ])('plays the recorded pauses ($args → $gap ms) and ends by itself', async ({ args, gap }) => {
    const terminal = replayTerminal(home, ['timed', ...args]);
    const seen = arrivals(terminal, ['MARK-A', 'MARK-B', 'MARK-C']);
    expect((await terminal.exited).exitCode).toBe(0);
    const tolerance = Math.max(gap * 0.4, 150);
    expect(Math.abs(seen.get('MARK-B')! - seen.get('MARK-A')! - gap)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(seen.get('MARK-C')! - seen.get('MARK-B')! - gap)).toBeLessThanOrEqual(tolerance);
    await terminal.waitForScreen((s) => /MARK-A\nMARK-B\nMARK-C\n+\[replay of timed ended at 0:0[12]\.\d \/ 0:0[12]\.\d\]/.test(s), 'the end message');
  });

  it('writes the recorded bytes without timing when stdout is not a terminal', async () => {
    const started = performance.now();
    const result = await home.run(['replay', 'timed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('MARK-A\r\nMARK-B\r\nMARK-C\r\n');
    expect(performance.now() - started).toBeLessThan(1500);
    expect((await home.run(['replay', 'timed', '--to', '0.5'])).stdout).toBe('MARK-A\r\n');
    const later = await home.run(['replay', 'timed', '--from', '1.5']);
    expect(later.stdout).toMatch(/\x1b\[2J.*MARK-A.*MARK-B.*\r\nMARK-C\r\n$/s);
  });

  it('refuses bad flags and names with one line', async () => {
    for (const [args, message] of [
      [['timed', '--speed', '0'], /--speed expects a factor/],
      [['timed', '--from', 'soon'], /--from expects a time/],
      [['timed', '--from', '9m'], /past the end of the recording \(0:02/],
      [['timed', '--from', '2', '--to', '1'], /--to must not be before --from/],
      [['nosuch'], /no session named "nosuch"/],
    ] as const) {
      const result = await home.run(['replay', ...args]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const [timed] = await home.json<{ id: string }[]>(['ls']);
    const inside = await home.run(['replay', 'timed'], { env: { CCMUX_SESSION: timed!.id } });
    expect(inside.stderr).toMatch(/cannot replay timed from inside it/);
    expect(await home.ok(['replay', '--help'])).toMatch(/Examples:[\s\S]*ccmux replay build[\s\S]*keys:/);
  });
});

describe('replay seeking and keys', () => {
  let home: CcmuxHome;
  /** Marker times (ms since the session started), each taken just after a phase appeared. */
  const marks: number[] = [];
  const PHASES = 'seq 1 300000; for n in 1 2 3 4; do printf "\\033[2J\\033[HPHASE-$n\\n"; sleep 2.5; done; sleep 600';

  beforeAll(async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', PHASES], ['-s', 'seek', '-x', '80', '-y', '24']);
    for (const phase of [1, 2, 3]) {
      await home.waitForScreen('seek', (s) => s.startsWith(`PHASE-${phase}`), `phase ${phase}`, 30_000);
      marks[phase] = (await home.json<{ time: number }>(['mark', 'seek', `after-${phase}`])).time;
    }
    await home.waitForScreen('seek', (s) => s.startsWith('PHASE-4'), 'phase 4', 30_000);
  });
  afterAll(() => home.cleanup());

  const seconds = (ms: number) => (ms / 1000).toFixed(3);

  it('--from lands on the screen at that time from the keyframe before it, not from the start', async () => {
    const terminal = replayTerminal(home, ['seek', '--from', seconds(marks[2]!)], { cols: 80, rows: 24 });
    const screen = await terminal.waitForScreen((s) => s.includes('PHASE-'), 'the first screen');
    expect(screen).toBe('PHASE-2');
    // The whole recording is over 2 MB; a seek writes one keyframe and at most ~1 MiB after it.
    expect(terminal.output().length).toBeLessThan(1_200_000);
    terminal.write('q');
    expect((await terminal.exited).exitCode).toBe(0);

    const dump = await home.run(['replay', 'seek', '--from', seconds(marks[2]!), '--to', seconds(marks[2]! + 100)]);
    expect(dump.stdout).toContain('PHASE-2');
    expect(dump.stdout).not.toContain('PHASE-3');
    expect(dump.stdout.length).toBeLessThan(1_200_000);
  });

  it('pauses on space with a status line, steps with ., and plays on from there on space', async () => {
    const terminal = replayTerminal(home, ['seek', '--from', seconds(marks[1]!)], { cols: 80, rows: 24 });
    await terminal.waitForScreen((s) => s.startsWith('PHASE-1'), 'phase 1');
    terminal.write(' ');
    await waitUntil('the paused status line', async () => /^ paused {2}0:\d\d\.\d \/ 0:\d\d\.\d {2}1x {3}space play {2}\. step/.test(await lastRow(terminal)));
    await holds('phase 1 stays while paused', async () => (await terminal.screen()).startsWith('PHASE-1'), 3000);

    terminal.write('.');
    await terminal.waitForScreen((s) => s.startsWith('PHASE-2'), 'a step to the next output');
    expect(await lastRow(terminal)).toMatch(/^ paused /);

    const resumed = performance.now();
    terminal.write(' ');
    await waitUntil('the status line to go', async () => (await lastRow(terminal)) === '');
    await terminal.waitForScreen((s) => s.startsWith('PHASE-3'), 'phase 3 after the recorded pause', 10_000);
    expect(performance.now() - resumed).toBeGreaterThan(1500);
  });

  it('←/→ seek 5 s and ] jumps to the next marker, paused or playing', async () => {
    const terminal = replayTerminal(home, ['seek', '--from', seconds(marks[1]!)], { cols: 80, rows: 24 });
    await terminal.waitForScreen((s) => s.startsWith('PHASE-1'), 'phase 1');
    terminal.write(' ');
    await waitUntil('paused', async () => (await lastRow(terminal)).startsWith(' paused'));
    // after-1 + 5 s lies between phase 3 (2 × 2.5 s after phase 1) and phase 4.
    terminal.write('\x1b[C');
    await terminal.waitForScreen((s) => s.startsWith('PHASE-3'), 'the screen 5 s later');
    terminal.write('\x1b[D');
    await terminal.waitForScreen((s) => s.startsWith('PHASE-1'), 'the screen 5 s earlier');

    terminal.write(']');
    await waitUntil('the jump to marker after-2', async () => (await lastRow(terminal)).includes('marker "after-2"'));
    expect(await terminal.screen()).toMatch(/^PHASE-2/);
    terminal.write(']');
    await waitUntil('the jump to marker after-3', async () => (await lastRow(terminal)).includes('marker "after-3"'));
    expect(await terminal.screen()).toMatch(/^PHASE-3/);

    // Playing, ] jumps too; the note goes to the title since the screen belongs to the recording.
    const titles: string[] = [];
    terminal.term.onTitleChange((title) => titles.push(title));
    terminal.write('\x1b[D\x1b[D ');
    await waitUntil('playing again', async () => (await lastRow(terminal)) === '' && !(await terminal.screen()).startsWith('PHASE-3'));
    terminal.write(']');
    await waitUntil('the title to name the marker', () => titles.some((title) => /^ccmux replay seek {2}1x {2}marker "after-\d"$/.test(title)), {
      detail: () => titles.join('\n'),
    });
    terminal.write('\x03');
    expect((await terminal.exited).exitCode).toBe(0);
  });
});

describe('replay of running and cut-off sessions', () => {
  let home: CcmuxHome;
  afterEach(() => home.cleanup());

  it('follows a running session live, warns about a small terminal, and stops when the session exits', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo LIVE-1; read a; echo LIVE-2; read b; echo LIVE-3'], ['-s', 'live']);
    await home.waitForScreen('live', (s) => s.includes('LIVE-1'), 'the first line');
    await home.ok(['resize', 'live', '120', '40']);
    const terminal = replayTerminal(home, ['live']);
    await terminal.waitForScreen((s) => s.includes('LIVE-1'), 'the replay to catch up');
    // The warning is scrolled up into the terminal's history, not erased by the first screen.
    const buffer = terminal.term.buffer.active;
    const history = Array.from({ length: buffer.baseY }, (_, y) => buffer.getLine(y)!.translateToString(true));
    expect(history.join('\n')).toContain('ccmux: warning: the recording needs 120x40 but this terminal is 100x30');
    await home.ok(['send', 'live', 'one']);
    await terminal.waitForScreen((s) => s.includes('LIVE-2'), 'new output to be followed');
    expect(terminal.hasExited).toBe(false);
    await home.ok(['send', 'live', 'two']);
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('LIVE-3') && s.includes('[replay of live ended'), 'the end');
  });

  it('q quits and gives the terminal back: modes off, stty settings unchanged', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui', '-x', '100', '-y', '30']);
    await home.waitForScreen('tui', (s) => s.includes('TUI READY'), 'the TUI to draw');
    const terminal = replayTerminal(home, ['tui']);
    await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the replayed TUI');
    expect(modes(terminal)).toEqual({ screen: 'alternate', mouse: 'vt200', paste: true, cursorKeys: true });
    terminal.write('q');
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('[replay of tui stopped at'), 'the quit message');
    expect(modes(terminal)).toEqual({ screen: 'normal', mouse: 'none', paste: false, cursorKeys: false });

    const { file, args } = ccmuxCommand();
    const shell = new TestTerminal('/bin/bash', ['--norc', '--noprofile'], { env: { ...home.env, PS1: '$ ' }, cwd: home.dir });
    terminals.push(shell);
    shell.write(`stty -g > before.txt; ${[file, ...args].join(' ')} replay tui; stty -g > after.txt; echo DONE-$?\r`);
    await shell.waitForScreen((s) => s.includes('TUI READY'), 'the replayed TUI');
    shell.write('q');
    await shell.waitForOutput('DONE-0');
    expect(fs.readFileSync(path.join(home.dir, 'after.txt'), 'utf8')).toBe(fs.readFileSync(path.join(home.dir, 'before.txt'), 'utf8'));
  });

  it('replays a session whose daemon was killed: before any daemon starts again, and once it is marked lost', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo BEFORE-KILL; sleep 600'], ['-s', 'doomed']);
    const [session] = await home.json<{ pid: number }[]>(['ls']);
    home.track(session!.pid);
    await waitUntil('the output to be stored', async () => (await home.run(['replay', 'doomed'])).stdout.includes('BEFORE-KILL'));
    const daemon = home.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitUntil('the daemon and its program to die', () => !alive(daemon) && !alive(session!.pid));

    expect((await home.run(['replay', 'doomed'])).stdout).toBe('BEFORE-KILL\r\n');
    const before = replayTerminal(home, ['doomed']);
    expect((await before.exited).exitCode).toBe(0);
    expect(await before.screen()).toMatch(/^BEFORE-KILL\n+\[replay of doomed ended/);

    await home.newSession(['sleep', '600'], ['-s', 'next']);
    const sessions = await home.json<{ name: string; state: string }[]>(['ls']);
    expect(sessions.find((s) => s.name === 'doomed')?.state).toBe('lost');
    const after = replayTerminal(home, ['doomed']);
    expect((await after.exited).exitCode).toBe(0);
    expect(await after.screen()).toMatch(/^BEFORE-KILL\n+\[replay of doomed ended/);
  });
});
