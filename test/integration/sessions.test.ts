// Sessions and the control commands: new, ls, names and ids, send/peek, wait, kill, rename, rm, resize, errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameKind, encodeFrame } from '../../src/protocol/frames';
import { CcmuxHome, alive } from '../helpers/ccmux';
import { RawClient } from '../helpers/raw-client';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

interface SessionJson {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  pid: number;
  state: string;
  exit: { code: number | null; signal: string | null } | null;
  cols: number;
  rows: number;
  createdAt: number;
  lastOutputAt: number | null;
  clients: unknown[];
  sizePolicy: string;
}

const ls = () => home.json<SessionJson[]>(['ls']);

describe('new', () => {
  it('runs $SHELL by default, with the name, directory, size and environment asked for', async () => {
    home = new CcmuxHome();
    const dir = fs.mkdtempSync(path.join(home.dir, 'work-'));
    const name = (await home.ok(['new', '-d', '-s', 'web', '-c', dir, '-x', '120', '-y', '40', '-e', 'GREETING=hi there'])).trim();
    expect(name).toBe('web');
    const [session] = await ls();
    expect(session).toMatchObject({ name: 'web', command: ['/bin/bash'], cwd: dir, cols: 120, rows: 40, state: 'running', sizePolicy: 'latest' });
    expect(session!.id).toMatch(/^[a-z2-9]{6}$/);
    await home.ok(['send', 'web', 'echo "[$GREETING|$TERM|$CCMUX_SESSION|${TMUX-unset}|$(pwd)|$(stty size)]"']);
    await home.waitForScreen('web', (s) => s.includes(`[hi there|xterm-256color|${session!.id}|unset|${dir}|40 120]`), 'the environment report');
    await home.ok(['send', 'web', 'echo "[$CCMUX_SOCKET]"']);
    await home.waitForScreen('web', (s) => s.includes(`[${home.socket}]`), 'CCMUX_SOCKET');
  });

  it('names sessions after their program, keeps names unique, and accepts a unique id prefix', async () => {
    home = new CcmuxHome();
    expect(await home.newSession(['sleep', '600'])).toBe('sleep');
    expect(await home.newSession(['sleep', '600'])).toBe('sleep-2');
    const duplicate = await home.run(['new', '-d', '-s', 'sleep', '--', 'sleep', '600']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('ccmux: a session named sleep already exists\n');
    const sessions = await ls();
    const first = sessions[0]!;
    expect(await home.ok(['has', first.id.slice(0, 4)])).toBe('');
    await home.ok(['rename', first.id.slice(0, 3), 'renamed']);
    expect((await ls()).map((s) => s.name)).toEqual(['renamed', 'sleep-2']);
    expect((await ls())[0]!.id).toBe(first.id);
    const bad = await home.run(['rename', 'renamed', 'has space']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ccmux: rename.newName: expected a name of letters/);
  });

  it('refuses a missing program or directory with one line, and starts no session', async () => {
    home = new CcmuxHome();
    const missing = await home.run(['new', '-d', '--', 'no-such-program-xyz']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('ccmux: no-such-program-xyz: command not found\n');
    const noDir = await home.run(['new', '-d', '-c', '/no/such/dir', '--', 'true']);
    expect(noDir.stderr).toBe('ccmux: /no/such/dir: no such directory\n');
    expect(await ls()).toEqual([]);
  });
});

describe('ls, kill, rm', () => {
  it('lists running and exited sessions with exit codes until rm', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo out; exit 7'], ['-s', 'quick']);
    await home.ok(['wait', 'quick', '--until', 'exit']);
    const [session] = await ls();
    expect(session).toMatchObject({ name: 'quick', state: 'exited', exit: { code: 7, signal: null } });
    expect(session!.lastOutputAt).toBeGreaterThanOrEqual(session!.createdAt);
    const table = await home.ok(['ls']);
    expect(table).toMatch(/^NAME\s+ID\s+STATE/);
    expect(table).toContain('exited (code 7)');
    await home.ok(['rm', 'quick']);
    expect(await ls()).toEqual([]);
  });

  it('kill hangs up, then escalates to SIGTERM and SIGKILL for a program that ignores them', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', "trap '' HUP TERM; echo armored; while :; do sleep 0.05; done"], ['-s', 'armored']);
    await home.waitForScreen('armored', (s) => s.includes('armored'), 'the traps to be set');
    await home.ok(['kill', 'armored']);
    const [session] = await ls();
    expect(session).toMatchObject({ state: 'exited', exit: { signal: 'SIGKILL' } });
    expect(alive(session!.pid)).toBe(false);
  });

  it('kill --signal sends just that signal', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', "trap 'echo got-int' INT; echo ready; while :; do sleep 0.05; done"], ['-s', 'trapper']);
    await home.waitForScreen('trapper', (s) => s.includes('ready'), 'the trap');
    await home.ok(['kill', 'trapper', '--signal', 'INT']);
    await home.waitForScreen('trapper', (s) => s.includes('got-int'), 'the signal to arrive');
    expect((await ls())[0]!.state).toBe('running');
    const bad = await home.run(['kill', 'trapper', '--signal', 'NOPE']);
    expect(bad.stderr).toBe('ccmux: unknown signal NOPE\n');
  });

  it('rm refuses a running session', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'busy']);
    const result = await home.run(['rm', 'busy']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ccmux: session busy is running; `ccmux kill busy` first\n');
  });

  it('resize sets the size the program sees', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '--norc'], ['-s', 'sized']);
    await home.ok(['resize', 'sized', '132', '43']);
    await home.ok(['send', 'sized', 'stty size']);
    await home.waitForScreen('sized', (s) => s.includes('43 132'), 'the new size');
  });
});

describe('send and peek', () => {
  it('types text then Enter, key names, and stdin; peek shows the screen, with colours on request', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'sh', '-e', 'PS1=$ ']);
    await home.ok(['send', 'sh', "printf '\\033[31mred\\033[0m plain\\n'"]);
    await home.waitForScreen('sh', (s) => s.includes('red plain'), 'the printf output');
    expect(await home.peek('sh', ['--ansi'])).toContain('\x1b[0;31mred\x1b[0m plain');
    await home.ok(['send', 'sh', 'sleep 600', '--no-enter']);
    await home.ok(['send', 'sh', '--keys', 'Enter']);
    await home.ok(['send', 'sh', '--keys', 'C-c']);
    await home.ok(['send', 'sh', '--stdin'], { input: 'echo from-stdin\n' });
    await home.waitForScreen('sh', (s) => /\^C[\s\S]*\nfrom-stdin\n\$$/.test(s.trimEnd()), 'the interrupt and the stdin command');
    const peek = await home.json<{ text: string; cols: number; rows: number; cursor: { x: number; y: number } }>(['peek', 'sh']);
    expect(peek).toMatchObject({ cols: 80, rows: 24 });
    expect(peek.cursor.x).toBe(2);
  });

  it('sends multi-line text as a bracketed paste when the program asked for it', async () => {
    home = new CcmuxHome();
    const reader = path.join(__dirname, '..', 'fixtures', 'tui.cjs');
    await home.newSession([process.execPath, reader], ['-s', 'tui']);
    await home.waitForScreen('tui', (s) => s.includes('TUI READY'), 'the TUI');
    await home.ok(['send', 'tui', '--no-enter', 'a\nb']);
    // ESC [ 2 0 0 ~ a CR b ESC [ 2 0 1 ~, in hex.
    await home.waitForScreen('tui', (s) => s.includes('1b5b3230307e610d621b5b3230317e'), 'a bracketed paste');
  });

  it('peek --scrollback includes lines above the screen', async () => {
    home = new CcmuxHome();
    await home.newSession(['seq', '1', '100'], ['-s', 'seq']);
    await home.ok(['wait', 'seq', '--until', 'exit']);
    expect((await home.peek('seq')).split('\n')[0]).toBe('78');
    const lines = (await home.peek('seq', ['--scrollback', '50'])).split('\n');
    expect(lines[0]).toBe('28');
    expect(lines.at(-2)).toBe('100');
  });

  it('rejects unknown key names and empty sends as usage errors', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'z']);
    const badKey = await home.run(['send', 'z', '--keys', 'Hyper-q']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toBe('ccmux: unknown key name "Hyper-q" (try Enter, Tab, Escape, C-c, M-x, Up, F1…)\n');
    const nothing = await home.run(['send', 'z']);
    expect(nothing.code).toBe(2);
  });
});

describe('wait', () => {
  it('--until exit, idle and match are met (exit 0); timeout is 124; a session that ends first is 4', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo starting; sleep 0.3; echo listening on 8080; sleep 600'], ['-s', 'srv']);
    expect((await home.run(['wait', 'srv', '--until', 'match=listening on [0-9]+', '--timeout', '20'])).code).toBe(0);
    expect((await home.run(['wait', 'srv', '--until', 'idle=0.2', '--timeout', '20'])).code).toBe(0);
    expect((await home.run(['wait', 'srv', '--until', 'match=never-printed', '--timeout', '0.3'])).code).toBe(124);
    expect((await home.run(['wait', 'srv', '--until', 'exit', '--timeout', '0.2'])).code).toBe(124);
    expect((await home.run(['wait', 'srv', '-i', '--until', 'match=LISTENING', '--timeout', '5'])).code).toBe(0);

    await home.newSession(['sh', '-c', 'sleep 0.3; exit 2'], ['-s', 'short']);
    expect((await home.run(['wait', 'short', '--until', 'match=never', '--timeout', '20'])).code).toBe(4);
    expect((await home.run(['wait', 'short', '--until', 'exit'])).code).toBe(0);
    const idle = await home.run(['wait', 'short', '--until', 'idle', '--json']);
    expect(idle.code).toBe(4);
    const gone = JSON.parse(idle.stdout) as { outcome: string; session: SessionJson };
    expect(gone.outcome).toBe('gone');
    expect(gone.session.exit).toEqual({ code: 2, signal: null });

    const bad = await home.run(['wait', 'srv', '--until', 'sometime']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('ccmux: --until expects exit, idle[=SECONDS], needs-input, working or match=REGEX, got "sometime"\n');
  });
});

describe('errors', () => {
  it('gives one line and a distinct exit status for unknown sessions, bad flags, and no daemon', async () => {
    home = new CcmuxHome();
    const noDaemon = await home.run(['peek', 'x']);
    expect(noDaemon.code).toBe(3);
    expect(noDaemon.stderr).toBe(`ccmux: no daemon is running (socket ${home.socket}); \`ccmux new\` starts one\n`);
    expect(await home.ok(['ls'])).toBe('no sessions\n');
    expect(await home.ok(['ls', '--json'])).toBe('[]\n');
    expect((await home.run(['has', 'x'])).code).toBe(1);

    await home.newSession(['sleep', '600']);
    const unknown = await home.run(['peek', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('ccmux: no session named "nosuch"\n');
    const badFlag = await home.run(['ls', '--bogus']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toBe('ccmux: ls: Unknown option --bogus\n');
    const missing = await home.run(['kill']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')).toHaveLength(2);
    const badNumber = await home.run(['new', '-d', '-x', 'wide']);
    expect(badNumber.stderr).toBe('ccmux: -x expects a whole number from 1 to 100000, got "wide"\n');
    const command = await home.run(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe('ccmux: unknown command "frobnicate"; run `ccmux --help` for the list\n');
  });

  it('prints help for every command, with examples', async () => {
    home = new CcmuxHome();
    const main = await home.ok(['--help']);
    expect(main).toMatch(/Start and manage sessions:[\s\S]*new[\s\S]*Watch them and get notified:[\s\S]*peek[\s\S]*Step in and script:[\s\S]*send/);
    for (const command of ['new', 'attach', 'ls', 'kill', 'rename', 'has', 'rm', 'kill-server', 'send', 'peek', 'wait', 'resize', 'status']) {
      const help = await home.ok([command, '--help']);
      expect(help).toMatch(new RegExp(`^Usage: ccmux ${command}`));
      expect(help).toContain('Examples:');
    }
  });

  it('answers a client that speaks another protocol version with a clear refusal', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600']);
    const replies = await rawExchange(home.socket, [encodeFrame(FrameKind.Control, JSON.stringify({ type: 'hello', protocol: 999, client: 'old', version: '9' }))]);
    expect(replies[0]).toMatchObject({ type: 'welcome', protocol: 1 });
    expect(replies).toHaveLength(1);
    // The daemon is unharmed.
    expect((await ls()).length).toBe(1);
  });

  it('closes a connection that sends garbage, and keeps serving others', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600']);
    for (const garbage of [Buffer.from([0xff, 0xff, 0xff, 0xff, 1]), encodeFrame(9 as FrameKind, 'x'), encodeFrame(FrameKind.Control, '{not json')]) {
      const replies = await rawExchange(home.socket, [garbage]);
      expect(replies.every((reply) => reply.type === 'response' && reply.ok === false)).toBe(true);
    }
    expect((await ls()).length).toBe(1);
  });
});

/** Sends frames on a fresh connection and collects control replies until the daemon closes it. */
async function rawExchange(socketPath: string, frames: Buffer[]): Promise<Record<string, unknown>[]> {
  const client = await RawClient.connect(socketPath);
  for (const frame of frames) client.socket.write(frame);
  await waitUntil('the daemon to close the connection', () => client.closed);
  return client.controls();
}
