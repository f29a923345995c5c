// Security: private files, another user cannot connect, no secrets in the log, read-only clients cannot write.
// (Read-only attach through the CLI: attach.test.ts; a home owned by another uid: daemon.test.ts.)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_ONLY_REQUESTS, REQUEST_ARGS, type RequestName } from '../../src/protocol/requests';
import type { ServerMessage } from '../../src/protocol/messages';
import { Connection } from '../../src/server/connection';
import type { DaemonServices } from '../../src/server/request-handlers';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { RawClient } from '../helpers/raw-client';
import { waitUntil } from '../helpers/wait-until';
import { FrameKind, encodeFrame } from '../../src/protocol/frames';

let home: CcmuxHome;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await home?.cleanup();
});

const OTHER_USER = 'ccmux-other';

/** A second, unprivileged user (root only); undefined when this machine cannot make one. */
function otherUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', OTHER_USER], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
  }
  return OTHER_USER;
}

/** Every file and directory under `dir` (symlinks not followed). */
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

describe('security', () => {
  it('keeps everything private: the runtime dir 0700, the socket, store and log 0600, nothing readable by others', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo hello; sleep 600'], ['-s', 'one']);
    await home.waitForScreen('one', (s) => s.includes('hello'), 'the output to be recorded');
    expect(fs.statSync(home.dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(home.socket).mode & 0o777).toBe(0o600);
    for (const file of ['store', 'store/data.mdb', 'store/lock.mdb', 'daemon.log']) {
      const mode = fs.statSync(path.join(home.dir, file)).mode & 0o777;
      expect(mode, file).toBe(file === 'store' ? 0o700 : 0o600);
    }
    // Whatever else lands here later (hook settings, tokens…) must be private too.
    for (const entry of walk(home.dir)) expect(fs.lstatSync(entry).mode & 0o077, entry).toBe(0);
  });

  it('another user cannot connect: a clear permission error, and the daemon never sees the attempt', async (context) => {
    const user = otherUser();
    if (!user) {
      context.skip('needs root to create a second user');
      return;
    }
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'mine']);
    const { file, args } = ccmuxCommand();
    const asOther = (command: string[]) =>
      spawnSync('runuser', ['-u', user, '--', file, ...args, ...command], { env: { ...home.env, HOME: '/nonexistent' }, encoding: 'utf8', timeout: 20_000, cwd: '/' });

    for (const command of [['ls'], ['send', 'mine', 'echo pwned'], ['new', '-d', '--', 'sh']]) {
      const result = asOther(command);
      expect(result.status, `${command.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(/^ccmux: .*(permission denied|EACCES|not by you)/i);
    }
    // Even with the directory opened up, the socket itself (0600) keeps them out.
    fs.chmodSync(home.dir, 0o711);
    try {
      const result = asOther(['ls']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/permission denied|EACCES/i);
    } finally {
      fs.chmodSync(home.dir, 0o700);
    }
    const status = await home.json<{ clients: number }>(['status']);
    expect(status.clients).toBe(1); // only this status request: nobody else got in
    expect(fs.readFileSync(home.log, 'utf8')).not.toMatch(/connection \d+:/);
  });

  it('puts no secrets in the log: not the environment, typed text or rejected arguments', async () => {
    const secret = 'sk-test-9f8e7d6c5b4a3210-SECRET';
    home = new CcmuxHome({ CCMUX_TEST_API_KEY: secret });
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'shell', '-e', `TOKEN=${secret}`]);
    await home.ok(['send', 'shell', `export PASSWORD=${secret}`]);
    await home.run(['send', 'nobody', secret]);
    const client = await RawClient.connect(home.socket);
    clients.push(client);
    client.hello();
    client.request(1, 'send', { session: 'shell', text: 42, secret });
    client.request(2, 'new', { command: [secret], cwd: `/${secret}`, cols: 80, rows: 24, env: { KEY: secret } });
    client.send({ type: 'hello', protocol: 1, client: secret, version: secret });
    client.socket.write(encodeFrame(FrameKind.Control, `{"type":"request","password":"${secret}"`));
    await waitUntil('the connection to be closed for its bad frame', () => client.closed);
    await home.ok(['kill-server']);
    const log = fs.readFileSync(home.log, 'utf8');
    expect(log).toContain('closing it'); // the bad frame was logged…
    expect(log).not.toContain('9f8e7d6c5b4a3210'); // …without what it carried
  });

  it('a read-only connection (a read-only web token) can only look: every other request is denied', async () => {
    const sent: ServerMessage[] = [];
    const connection = new Connection(
      { sendControl: (message) => sent.push(message), sendOutput: () => undefined, bufferedBytes: () => 0, onDrain: () => undefined, close: () => undefined },
      {} as DaemonServices,
      { info: () => undefined, warn: () => undefined, error: () => undefined },
      { readOnly: true },
    );
    connection.onFrame({ kind: FrameKind.Control, payload: Buffer.from(JSON.stringify({ type: 'hello', protocol: 1, client: 't', version: 't' })) });
    const writers = (Object.keys(REQUEST_ARGS) as RequestName[]).filter((command) => !READ_ONLY_REQUESTS.has(command));
    expect(writers).toEqual(expect.arrayContaining(['new', 'send', 'kill', 'rm', 'kill-server', 'resize', 'rename', 'respawn', 'import', 'prune']));
    writers.forEach((command, index) => {
      connection.onFrame({ kind: FrameKind.Control, payload: Buffer.from(JSON.stringify({ type: 'request', id: index + 1, command, args: {} })) });
    });
    await waitUntil('every answer', () => sent.filter((m) => m.type === 'response').length === writers.length);
    for (const message of sent.filter((m) => m.type === 'response')) {
      expect(message).toMatchObject({ ok: false, error: { code: 'denied' } });
    }
  });

  it('a read-only attached client cannot type or resize over the wire', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'shell']);
    const client = await RawClient.connect(home.socket);
    clients.push(client);
    client.hello();
    client.request(1, 'attach', { session: 'shell', readOnly: true, cols: 50, rows: 10 });
    await waitUntil('the attach answer', () => client.controls().some((c) => c.type === 'response'));
    client.socket.write(encodeFrame(FrameKind.Input, 'touch /tmp/ccmux-read-only-breach\r'));
    client.send({ type: 'attach-resize', cols: 40, rows: 8 });
    await home.ok(['send', 'shell', 'echo after-read-only']);
    await home.waitForScreen('shell', (s) => s.includes('\nafter-read-only'), 'the shell to run what was sent normally');
    expect(await home.peek('shell')).not.toContain('read-only-breach');
    const [info] = await home.json<{ cols: number; rows: number }[]>(['ls']);
    expect([info!.cols, info!.rows]).toEqual([80, 24]);
  });
});
