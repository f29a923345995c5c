// Attach through a real PTY: exact screen at once, detach keys, terminal restored, exits, signals, resize.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

const TUI = [process.execPath, path.join(__dirname, '..', 'fixtures', 'tui.cjs')];
let home: CcmuxHome;
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.dispose();
  await home.cleanup();
});

function attachTerminal(args: string[], options: { cols?: number; rows?: number; env?: Record<string, string> } = {}): TestTerminal {
  const { file, args: prefix } = ccmuxCommand();
  const terminal = new TestTerminal(file, [...prefix, 'attach', ...args], { ...options, env: { ...home.env, ...options.env }, cwd: home.dir });
  terminals.push(terminal);
  return terminal;
}

function shellTerminal(): TestTerminal {
  const terminal = new TestTerminal('/bin/bash', ['--norc', '--noprofile'], { env: { ...home.env, PS1: '$ ' }, cwd: home.dir });
  terminals.push(terminal);
  return terminal;
}

interface SessionJson {
  name: string;
  cols: number;
  rows: number;
  sizeClient: number | null;
  clients: { id: number; readOnly: boolean }[];
}

async function session(name: string): Promise<SessionJson> {
  const sessions = await home.json<SessionJson[]>(['ls']);
  return sessions.find((s) => s.name === name)!;
}

describe('attach', () => {
  it('shows the exact current screen of a full-screen program at once: text, colours, cursor, modes', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui', '-x', '100', '-y', '30']);
    await home.waitForScreen('tui', (s) => s.includes('TUI READY'), 'the TUI to draw');
    const mirror = await home.peek('tui');
    // Read-only: no repaint request, so what appears is the mirror's snapshot alone.
    const terminal = attachTerminal(['-r', 'tui'], { cols: 100, rows: 30 });
    await terminal.waitForScreen((s) => s === mirror.replace(/\n$/, ''), 'the client to show the mirror screen');
    expect(mirror).toContain('redraws 1');

    const term = terminal.term;
    const buffer = term.buffer.active;
    expect(buffer.type).toBe('alternate');
    const red = buffer.getLine(2)!.getCell(4)!;
    expect(red.getChars()).toBe('R');
    expect(red.isFgPalette() && red.getFgColor()).toBe(1);
    const green = buffer.getLine(4)!.getCell(0)!;
    expect(green.isBgPalette() && green.getBgColor()).toBe(2);
    expect(green.isBold()).toBeTruthy();
    const peek = await home.json<{ cursor: { x: number; y: number } }>(['peek', 'tui']);
    expect({ x: buffer.cursorX, y: buffer.cursorY }).toEqual(peek.cursor);
    expect(peek.cursor).toEqual({ x: 19, y: 9 });
    expect(term.modes.mouseTrackingMode).toBe('vt200');
    expect(term.modes.bracketedPasteMode).toBe(true);
    expect(term.modes.applicationCursorKeysMode).toBe(true);
  });

  it('detaches on C-b d with the tmux message, restores modes, and leaves the session running', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    await home.waitForScreen('tui', (s) => s.includes('TUI READY'), 'the TUI to draw');
    const terminal = attachTerminal(['tui']);
    await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    terminal.write('\x02d');
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('[detached (from session tui)]'), 'the detach message');
    expect(terminal.term.buffer.active.type).toBe('normal');
    expect(terminal.term.modes.mouseTrackingMode).toBe('none');
    expect(terminal.term.modes.bracketedPasteMode).toBe(false);
    expect(terminal.term.modes.applicationCursorKeysMode).toBe(false);
    const info = await session('tui');
    expect(info.clients).toEqual([]);
  });

  it('leaves the terminal settings exactly as they were (stty -g before = after)', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    const { file, args } = ccmuxCommand();
    const shell = shellTerminal();
    shell.write(`stty -g > before.txt; ${[file, ...args].join(' ')} attach tui; stty -g > after.txt; echo DONE-$?\r`);
    await shell.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    shell.write('\x02d');
    await shell.waitForOutput('DONE-0');
    const before = fs.readFileSync(path.join(home.dir, 'before.txt'), 'utf8');
    expect(fs.readFileSync(path.join(home.dir, 'after.txt'), 'utf8')).toBe(before);
  });

  it('sends one C-b for C-b C-b, and honours a configured prefix', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    const terminal = attachTerminal(['tui']);
    await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    terminal.write('\x02\x02');
    await home.waitForScreen('tui', (s) => /GOT: 02 $/m.test(s), 'the program to receive one C-b');
    terminal.write('\x02d');
    await terminal.exited;

    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ prefix: 'C-a' }));
    const viaConfig = attachTerminal(['tui']);
    await viaConfig.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    viaConfig.write('\x02');
    await home.waitForScreen('tui', (s) => /GOT: 02 02 $/m.test(s), 'C-b to pass through under prefix C-a');
    viaConfig.write('\x01d');
    expect((await viaConfig.exited).exitCode).toBe(0);

    const viaEnv = attachTerminal(['tui'], { env: { CCMUX_PREFIX: 'C-g' } });
    await viaEnv.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    viaEnv.write('\x07d');
    expect((await viaEnv.exited).exitCode).toBe(0);
  });

  it('recognises the prefix in the kitty keyboard encoding', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    const terminal = attachTerminal(['tui']);
    await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    terminal.write('\x1b[98;5u\x1b[100u');
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('[detached (from session tui)]'), 'the detach message');
  });

  it('reports the exit of the program and restores the terminal', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    const terminal = attachTerminal(['tui']);
    await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    terminal.write('q');
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('[exited: code 3]'), 'the exit message');
    expect(terminal.term.buffer.active.type).toBe('normal');
  });

  it('restores the terminal when the client gets SIGTERM or SIGHUP; the session is unaffected', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      const terminal = attachTerminal(['tui']);
      await terminal.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
      await waitUntil('the client to be attached', async () => (await session('tui')).clients.length === 1);
      // Signal the attach client itself (not the terminal's process group).
      process.kill(terminal.pid, signal);
      await terminal.exited;
      await terminal.waitForScreen((s) => s.includes('[detached (from session tui)'), 'the detach message');
      expect(terminal.term.modes.mouseTrackingMode).toBe('none');
      expect(terminal.term.buffer.active.type).toBe('normal');
      await waitUntil('the client to be gone', async () => (await session('tui')).clients.length === 0);
    }
    expect(await home.peek('tui')).toContain('TUI READY');
  });

  it('resizes the session when the terminal is resized; the program sees the new size', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui', '-x', '80', '-y', '24']);
    const terminal = attachTerminal(['tui'], { cols: 100, rows: 30 });
    await terminal.waitForScreen((s) => s.includes('size 100x30'), 'the program to see the attached size');
    terminal.resize(90, 25);
    await terminal.waitForScreen((s) => s.includes('size 90x25'), 'the program to see the new size');
    expect(await session('tui')).toMatchObject({ cols: 90, rows: 25 });
  });

  it('gives a session 80×24 when the terminal reports no size (0×0), for new and attach alike', async () => {
    home = new CcmuxHome();
    const { file, args } = ccmuxCommand();
    const shell = shellTerminal();
    shell.write(`stty cols 0 rows 0; ${[file, ...args].join(' ')} new -s zero -- ${TUI.join(' ')}; echo NEW-$?\r`);
    await shell.waitForScreen((s) => s.includes('size 80x24'), 'the program to get 80x24');
    shell.write('\x02d');
    await shell.waitForOutput('NEW-0');
    shell.write(`${[file, ...args].join(' ')} attach zero; echo ATTACH-$?\r`);
    await shell.waitForScreen((s) => s.includes('TUI READY'), 'the attached screen');
    shell.write('\x02d');
    await shell.waitForOutput('ATTACH-0');
    expect(await session('zero')).toMatchObject({ cols: 80, rows: 24 });
  });

  it('repaints a full-screen program on attach (SIGWINCH) even when the size is unchanged', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui', '-x', '100', '-y', '30']);
    await home.waitForScreen('tui', (s) => s.includes('redraws 1'), 'the first draw');
    const terminal = attachTerminal(['tui'], { cols: 100, rows: 30 });
    await terminal.waitForScreen((s) => s.includes('redraws 2'), 'the program to redraw on attach');
  });

  it('refuses to attach without a terminal, and to an unknown session, with one line', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'quiet']);
    const noTty = await home.run(['attach', 'quiet']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toBe('ccmux: attach needs a terminal (stdin and stdout must be a TTY)\n');
    const terminal = attachTerminal(['nosuch']);
    expect((await terminal.exited).exitCode).toBe(1);
    expect(terminal.output().trim()).toBe('ccmux: no session named "nosuch"');
  });
});

describe('several clients', () => {
  it('all see the output; size follows the latest client; read-only cannot type or resize; -d detaches others', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    const first = attachTerminal(['tui'], { cols: 100, rows: 30 });
    await first.waitForScreen((s) => s.includes('size 100x30'), 'the first client size');
    const second = attachTerminal(['tui'], { cols: 80, rows: 24 });
    await second.waitForScreen((s) => s.includes('size 80x24'), 'the second client to take the size');
    await first.waitForScreen((s) => s.includes('size 80x24'), 'the first client to see the redraw too');

    first.write('a');
    await first.waitForScreen((s) => s.includes('size 100x30') && s.includes('GOT: 61'), 'typing to give the size back');
    await second.waitForScreen((s) => s.includes('GOT: 61'), 'the second client to see the same output');
    expect((await session('tui')).sizeClient).not.toBeNull();

    const watcher = attachTerminal(['-r', 'tui'], { cols: 60, rows: 20 });
    await watcher.waitForScreen((s) => s.includes('GOT: 61'), 'the read-only client to see the screen');
    watcher.write('z');
    watcher.resize(70, 22);
    first.write('b');
    await home.waitForScreen('tui', (s) => s.includes('GOT: 61 62'), 'input from a writer');
    expect(await home.peek('tui')).not.toContain('7a');
    expect(await session('tui')).toMatchObject({ cols: 100, rows: 30 });
    const readOnly = (await session('tui')).clients.filter((client) => client.readOnly);
    expect(readOnly).toHaveLength(1);

    const taker = attachTerminal(['-d', 'tui'], { cols: 100, rows: 30 });
    await taker.waitForScreen((s) => s.includes('TUI READY'), 'the new client');
    for (const other of [first, second, watcher]) {
      await other.exited;
      await other.waitForScreen((s) => s.includes('[detached (from session tui) by another client]'), 'the others to be detached');
    }
    expect((await session('tui')).clients).toHaveLength(1);
  });
});
