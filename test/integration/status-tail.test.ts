// `ccmux status` with and without a daemon, and `ccmux tail` of running, ended and lost sessions: the
// last lines, -f following live output until the session ends, --raw bytes, and the daemon down.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome, alive, ccmuxCommand } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.dispose();
  await home.cleanup();
});

/** A ccmux command left running (tail -f), its output collected as it comes. */
function follow(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const { file, args: prefix } = ccmuxCommand();
  const child = spawn(file, [...prefix, ...args], { env: home.env, cwd: home.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data) => (stdout += data));
  child.stderr!.on('data', (data) => (stderr += data));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  home.track(child.pid);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

const lines = (count: number, from = 1) => Array.from({ length: count }, (_, index) => `line ${index + from}`);

describe('status', () => {
  it('without a daemon: says so, where everything would be, and exits 3', async () => {
    home = new CcmuxHome();
    const result = await home.run(['status']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^ccmux \S+: no daemon is running/);
    expect(result.stdout).toContain(`socket    ${home.socket}`);
    expect(result.stdout).toContain('(no recordings yet)');
    expect(result.stderr).toBe(`ccmux: no daemon is running (socket ${home.socket}); \`ccmux new\` starts one\n`);
    const json = await home.run(['status', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: false, socket: home.socket, storeBytes: 0 });
  });

  it('with a daemon: version, pid, uptime, paths, store size, sessions by state, attached clients, plugins', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'exit 4'], ['-s', 'failed']);
    await home.run(['wait', 'failed', '--until', 'exit']);
    await home.newSession(['bash', '-c', 'echo ready; exec sleep 600'], ['-s', 'sleeper']);
    const terminal = new TestTerminal(ccmuxCommand().file, [...ccmuxCommand().args, 'attach', 'sleeper'], { env: home.env });
    terminals.push(terminal);
    await terminal.waitForScreen((s) => s.includes('ready'), 'the attached screen');

    const status = JSON.parse(await home.ok(['status', '--json']));
    expect(status).toMatchObject({
      running: true,
      pid: home.daemonPid(),
      socket: home.socket,
      config: `${home.dir}/config.json`,
      sessions: { running: 1, exited: 1, lost: 0 },
      attachedClients: 1,
      managedBy: null,
    });
    expect(status.storeBytes).toBeGreaterThan(0);
    expect(Object.values(status.agents).reduce((sum: number, count) => sum + (count as number), 0)).toBe(1);
    expect(status.plugins.map((plugin: { name: string }) => plugin.name)).toEqual(expect.arrayContaining(['notify', 'shell-hooks']));
    expect(status).not.toHaveProperty('web');

    const text = await home.ok(['status']);
    expect(text).toMatch(new RegExp(`^ccmux \\S+: daemon running, pid ${home.daemonPid()}, up \\d+s\\n`));
    expect(text).toMatch(/\nstore {5}.*\/store \(\d+(\.\d)? (KiB|MiB)\)\n/);
    expect(text).toMatch(/\nsessions {2}1 running \(1 \w+\), 1 exited\n/);
    expect(text).toContain('\nclients   1 attached\n');
    expect(text).toContain('\nplugins   notify, shell-hooks\n');
    expect(text).toContain(`\nconfig    ${home.dir}/config.json (not created: defaults)\n`);
  });
});

describe('tail', () => {
  it('prints the last lines of a running session from its screen and scrollback, long lines whole', async () => {
    home = new CcmuxHome();
    const long = 'x'.repeat(150);
    await home.newSession(['bash', '-c', `for i in $(seq 1 300); do echo "line $i"; done; echo ${long}; echo last; exec sleep 600`], ['-s', 'logs']);
    await home.waitForScreen('logs', (s) => s.includes('last'), 'the output');
    expect(await home.ok(['tail', 'logs'])).toBe(`${[...lines(8, 293), long, 'last'].join('\n')}\n`);
    expect(await home.ok(['tail', '-n', '3', 'logs'])).toBe(`line 300\n${long}\nlast\n`);
    expect(await home.ok(['tail', '--lines', '0', 'logs'])).toBe('');
    // The raw bytes, straight from the recording: what the program wrote, \r\n and all.
    expect(await home.ok(['tail', '--raw', '-n', '2', 'logs'])).toBe(`${long}\r\nlast\r\n`);
  });

  it('shows the line being written, and -f starts after it without repeating it', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'printf "done 1\\nworking... "; read answer; echo "$answer"; read; exit 0'], ['-s', 'job']);
    await home.waitForScreen('job', (s) => s.includes('working...'), 'the prompt');
    expect(await home.ok(['tail', 'job'])).toBe('done 1\nworking...\n');
    const tail = follow(['tail', '-f', 'job']);
    await waitUntil('the first line', () => tail.stdout() === 'done 1\n', { detail: tail.stdout });
    await home.ok(['send', 'job', 'ok']);
    // The terminal echoes what was typed; the line is whole once the newline comes, and shown once.
    await waitUntil('the finished line', () => tail.stdout().includes('ok\n'), { detail: tail.stdout });
    expect(tail.stdout()).toMatch(/^done 1\nworking\.\.\. ok\n/);
    await home.ok(['send', 'job', '--keys', 'Enter']);
    expect(await tail.exited).toBe(0);
  });

  it('-f sees new output as it comes and ends when the session ends', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'echo start; while read -r line; do echo "seen: $line"; [ "$line" = stop ] && exit 3; done'], ['-s', 'live']);
    await home.waitForScreen('live', (s) => s.includes('start'), 'the first output');
    const tail = follow(['tail', '-f', '-n', '5', 'live']);
    await waitUntil('the existing output', () => tail.stdout().includes('start\n'), { detail: tail.stdout });
    await home.ok(['send', 'live', 'hello']);
    await waitUntil('the new output', () => tail.stdout().includes('seen: hello\n'), { detail: tail.stdout });
    await home.ok(['send', 'live', 'stop']);
    expect(await tail.exited).toBe(0);
    expect(tail.stdout()).toBe('start\nhello\nseen: hello\nstop\nseen: stop\n');
    expect(tail.stderr()).toBe('');
  });

  it('--raw -f passes the bytes through, escape sequences included', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'printf "\\033[31mred\\033[0m\\n"; read -r; printf "\\033[1mbold\\033[0m\\n"'], ['-s', 'colors']);
    await home.waitForScreen('colors', (s) => s.includes('red'), 'the first output');
    const tail = follow(['tail', '-f', '--raw', 'colors']);
    await waitUntil('the existing bytes', () => tail.stdout().includes('\x1b[31mred\x1b[0m\r\n'), { detail: tail.stdout });
    await home.ok(['send', 'colors', '--keys', 'Enter']);
    expect(await tail.exited).toBe(0);
    expect(tail.stdout()).toBe('\x1b[31mred\x1b[0m\r\n\r\n\x1b[1mbold\x1b[0m\r\n');
  });

  it('reads ended and lost sessions from the store, with the daemon up or down', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'for i in $(seq 1 40); do echo "line $i"; done; exit 1'], ['-s', 'ended']);
    await home.run(['wait', 'ended', '--until', 'exit']);
    expect(await home.ok(['tail', '-n', '4', 'ended'])).toBe(`${lines(4, 37).join('\n')}\n`);
    // -f of an ended session prints and returns.
    expect(await home.ok(['tail', '-f', '-n', '1', 'ended'])).toBe('line 40\n');
    await home.ok(['kill-server']);
    expect(await home.ok(['tail', '-n', '2', 'ended'])).toBe('line 39\nline 40\n');
    expect(await home.ok(['tail', '-f', '--raw', '-n', '2', 'ended'])).toBe('line 39\r\nline 40\r\n');
  });

  it('reads a lost session (its daemon was killed) with no daemon, and through a new one', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'echo "still here"; exec sleep 600'], ['-s', 'orphan']);
    const [{ pid }] = await home.json<{ pid: number }[]>(['ls']);
    home.track(pid);
    // The text index reaches the store within a second; export reads the store itself.
    await waitUntil('the line to be stored', async () => (await home.ok(['export', 'orphan', '--format', 'txt'])).includes('still here'));
    const daemon = home.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitUntil('the daemon to die', () => !alive(daemon));
    expect(await home.ok(['tail', '-f', 'orphan'])).toBe('still here\n');
    await home.newSession(['true'], ['-s', 'next']);
    expect(await home.ok(['tail', 'orphan'])).toBe('still here\n');
  });

  it('refuses unknown sessions and bad counts in one line', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'there']);
    const unknown = await home.run(['tail', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('ccmux: no session named "nosuch"\n');
    const bad = await home.run(['tail', '-n', 'many', 'there']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('ccmux: --lines expects a whole number from 0 to 1000000, got "many"\n');
  });
});
