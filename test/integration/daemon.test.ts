// The daemon's life: auto-start detached, one per home under a race, stale sockets, kill-server, privacy.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome, alive, ccmuxCommand } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;
let terminal: TestTerminal | undefined;

afterEach(async () => {
  await terminal?.dispose();
  terminal = undefined;
  await home.cleanup();
});

describe('daemon', () => {
  it('is started by the first command, detached: it outlives the terminal that started it', async () => {
    home = new CcmuxHome();
    const { file, args } = ccmuxCommand();
    terminal = new TestTerminal('/bin/bash', ['--norc', '--noprofile'], { env: home.env, cwd: home.dir });
    terminal.write(`${[file, ...args].join(' ')} new -d -s survivor -- sleep 600; echo STARTED-$?\r`);
    await terminal.waitForOutput('STARTED-0');
    // Kill the terminal's whole process group, as closing a terminal window would.
    process.kill(-terminal.pid, 'SIGKILL');
    await terminal.exited;
    const sessions = await home.json<{ name: string; state: string }[]>(['ls']);
    expect(sessions).toEqual([expect.objectContaining({ name: 'survivor', state: 'running' })]);
  });

  it('starts exactly one daemon when five clients race on a cold home', async () => {
    home = new CcmuxHome();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => home.run(['new', '-d', '-s', `racer${n}`, '--', 'sleep', '600'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const log = fs.readFileSync(home.log, 'utf8');
    expect(log.match(/listening on/g)).toHaveLength(1);
    const sessions = await home.json<{ name: string }[]>(['ls']);
    expect(sessions.map((s) => s.name).sort()).toEqual(['racer1', 'racer2', 'racer3', 'racer4', 'racer5']);
  });

  it('replaces a stale socket left by a daemon that died', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'first']);
    // Session metadata is committed asynchronously; `replay` reads the store, so it tells when it is there.
    await waitUntil('the session to be stored', async () => (await home.run(['replay', 'first'])).code === 0);
    const pid = home.daemonPid()!;
    process.kill(pid, 'SIGKILL');
    await waitUntil('the daemon to die', () => !alive(pid));
    expect(fs.existsSync(home.socket)).toBe(true);
    await home.newSession(['sleep', '600'], ['-s', 'second']);
    expect(home.daemonPid()).not.toBe(pid);
    expect(fs.readFileSync(home.log, 'utf8')).toContain('removing stale socket');
    // The session cut off with the old daemon stays listed from its recording, as lost.
    const sessions = await home.json<{ name: string; state: string }[]>(['ls']);
    expect(sessions.map((s) => `${s.name} ${s.state}`)).toEqual(['first lost', 'second running']);
  });

  it('kill-server ends the sessions and the daemon; then status reports none (exit 3)', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'doomed']);
    const sessions = await home.json<{ pid: number }[]>(['ls']);
    const daemon = home.daemonPid()!;
    await home.ok(['kill-server']);
    expect(alive(daemon)).toBe(false);
    await waitUntil('the session program to end', () => !alive(sessions[0]!.pid));
    expect(fs.existsSync(home.socket)).toBe(false);
    const status = await home.run(['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/^ccmux: no daemon is running/);
    expect(status.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('keeps its runtime directory private and refuses one owned by another user', async () => {
    home = new CcmuxHome();
    fs.chmodSync(home.dir, 0o755);
    await home.newSession(['sleep', '600']);
    expect(fs.statSync(home.dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(home.socket).mode & 0o777).toBe(0o600);
    expect(fs.statSync(home.log).mode & 0o077).toBe(0);
    await home.ok(['kill-server']);
    if (process.getuid?.() !== 0) return; // Only root can hand the directory to someone else.
    fs.chownSync(home.dir, 65534, 65534);
    const result = await home.run(['new', '-d', '--', 'sleep', '600']);
    fs.chownSync(home.dir, 0, 0);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/owned by uid 65534, not by you/);
  });

  it('logs to a daemon log file', async () => {
    home = new CcmuxHome();
    await home.newSession(['true']);
    expect(fs.readFileSync(home.log, 'utf8')).toMatch(/info ccmux .* daemon \d+ listening on/);
  });
});
