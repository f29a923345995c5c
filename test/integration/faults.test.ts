// Faults: a full disk, the store deleted or overwritten under a running daemon, clients killed mid-attach.
// (SIGKILL of the daemon: recording.test.ts; programs that ignore SIGHUP/SIGTERM: sessions.test.ts;
// plugins that throw or hang: plugins.test.ts.)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';
import { CcmuxHome, alive, ccmuxCommand } from '../helpers/ccmux';
import { openFds } from '../helpers/proc';
import { RawClient } from '../helpers/raw-client';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;
const terminals: TestTerminal[] = [];

afterEach(async () => {
  for (const terminal of terminals.splice(0)) await terminal.dispose();
  await home.cleanup();
});

interface SessionJson {
  name: string;
  state: string;
  clients: unknown[];
  recording: { outputBytes: number; error: string | null };
}

async function session(name: string): Promise<SessionJson> {
  return (await home.json<SessionJson[]>(['ls'])).find((s) => s.name === name)!;
}

/** Mounts a tmpfs of `size` on `dir` (root only); false when this machine cannot. */
function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function daemonLog(): string {
  return fs.readFileSync(home.log, 'utf8');
}

/** The daemon's log shows no crash-like trouble (lmdb's own stderr lines are allowed). */
function expectCleanLog(): void {
  expect(daemonLog()).not.toMatch(/uncaught|unhandled rejection/);
}

describe('faults', () => {
  it('disk full: sessions keep running, recording degrades with a warning and resumes when space returns; the store stays intact', async (context) => {
    home = new CcmuxHome();
    const storeDir = path.join(home.dir, 'store');
    fs.mkdirSync(storeDir, { mode: 0o700 });
    if (!mountTmpfs(storeDir, '8m')) {
      context.skip('needs root to mount a small tmpfs');
      return;
    }
    home.onCleanup(() => execFileSync('umount', [storeDir]));
    // Most of the small disk is taken; the store gets what is left.
    const filler = path.join(storeDir, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(5 * 1024 * 1024, 1));
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'steady']);
    await home.newSession(['sh', '-c', 'head -c 6000000 /dev/urandom | base64; echo FLOOD-DONE; exec sleep 600'], ['-s', 'flood']);

    const full = await waitUntil('recording to degrade', async () => ((await session('flood')).recording.error?.includes('no space left') ? session('flood') : undefined), {
      timeoutMs: 30_000,
    });
    expect(full.state).toBe('running');
    expect(await home.ok(['ls'])).toMatch(/flood .* running \(recording: no space left on the device of /);
    expect(daemonLog()).toMatch(/error recording degraded, output is not being stored: no space left on the device of .*; retrying every 5 s/);

    // The programs never notice: the flood finishes, the shell answers.
    await home.waitForScreen('flood', (s) => s.includes('FLOOD-DONE'), 'the flood to finish with the disk full', 30_000);
    await home.ok(['send', 'steady', 'echo while-full']);
    await home.waitForScreen('steady', (s) => s.includes('\nwhile-full'), 'the shell to answer with the disk full');

    // Space returns: the next write after the retry delay goes through.
    fs.rmSync(filler);
    let tick = 0;
    await waitUntil(
      'recording to resume',
      async () => {
        await home.ok(['send', 'steady', `echo tick-${tick++}`]);
        return (await session('steady')).recording.error === null;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(daemonLog()).toMatch(/info recording resumed \(was: no space left/);
    await home.ok(['send', 'steady', 'echo AFTER-SPACE-RETURNED']);
    await waitUntil('the output after the disk had room again to be recorded', async () =>
      /\rAFTER-SPACE-RETURNED\r\n/.test(await home.ok(['export', 'steady', '--format', 'raw'])),
    );

    // Nothing corrupted: after a clean stop every recording reads back whole.
    await home.ok(['kill-server']);
    const store = Store.open(storeDir, { readOnly: true });
    try {
      expect(store.sessions().map((s) => [s.name, s.state])).toEqual([
        ['steady', 'exited'],
        ['flood', 'exited'],
      ]);
    } finally {
      await store.close();
    }
    for (const name of ['steady', 'flood']) {
      const lines = (await home.ok(['export', name, '--format', 'jsonl'])).trimEnd().split('\n');
      const outputs = lines.map((line) => JSON.parse(line) as { type: string; offset?: number; data?: string }).filter((item) => item.type === 'output');
      // Offsets only ever grow (a gap is the output dropped while the disk was full).
      for (let i = 1; i < outputs.length; i++) expect(outputs[i]!.offset!).toBeGreaterThanOrEqual(outputs[i - 1]!.offset! + Buffer.from(outputs[i - 1]!.data!, 'base64').length);
    }
    expectCleanLog();
  });

  it('the store deleted under a running daemon: a clear error, sessions keep running, a later start makes a fresh store', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'steady']);
    await home.newSession(['sh', '-c', 'echo recorded-before'], ['-s', 'ended']);
    await home.ok(['wait', 'ended', '--until', 'exit']);
    const daemon = home.daemonPid()!;
    fs.rmSync(path.join(home.dir, 'store'), { recursive: true });

    const lost = await waitUntil('the daemon to notice', async () => ((await session('steady')).recording.error?.includes('was deleted') ? session('steady') : undefined));
    expect(lost.recording.error).toMatch(/store\/data\.mdb was deleted; restart the daemon to record again$/);
    expect(daemonLog()).toMatch(/error recording stopped: the recording store .*data\.mdb was deleted\. Sessions keep running/);
    await home.ok(['send', 'steady', 'echo still-here']);
    await home.waitForScreen('steady', (s) => s.includes('\nstill-here'), 'the shell to answer without a store');
    // What would read or change the store says why it cannot.
    const rm = await home.run(['rm', 'ended']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/^ccmux: the recording store is unusable: .* was deleted\n$/);
    expect(alive(daemon)).toBe(true);

    await home.ok(['kill-server']);
    expect(daemonLog()).toMatch(/info stopped\n$/);
    await home.newSession(['sh', '-c', 'echo in-a-fresh-store; exec sleep 600'], ['-s', 'fresh']);
    await waitUntil('the fresh store to record', async () => (await home.ok(['export', 'fresh', '--format', 'raw'])).includes('in-a-fresh-store'));
    expect((await home.json<SessionJson[]>(['ls'])).map((s) => s.name)).toEqual(['fresh']);
    expectCleanLog();
  });

  it('the store overwritten under a running daemon: recording stops without a crash; starts refuse it in one line, no crash loop', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'idle']);
    const daemon = home.daemonPid()!;
    const file = path.join(home.dir, 'store', 'data.mdb');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, randomBytes(fs.fstatSync(fd).size), 0);
    fs.closeSync(fd);

    await waitUntil('the daemon to notice', async () => (await session('idle')).recording.error?.includes('was overwritten: it is not an LMDB file'));
    expect(alive(daemon)).toBe(true);
    await home.ok(['kill-server']);
    expect(alive(daemon)).toBe(false);
    expect(daemonLog()).toMatch(/info stopped\n$/);

    // No daemon: reading the store must not crash (LMDB would, on garbage), and starting one fails clearly every time.
    for (const args of [['ls'], ['new', '-d', '--', 'sleep', '1'], ['new', '-d', '--', 'sleep', '1'], ['export', 'idle']]) {
      const result = await home.run(args);
      expect(result.signal, `ccmux ${args.join(' ')}`).toBeNull();
      expect(result.code, `ccmux ${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/^ccmux: (the daemon could not start: )?the recording store .* is damaged: .*data\.mdb it is not an LMDB file \(bad header\); move it away \(mv .*\) to start a new one\n$/);
    }
    expect((await home.run(['status'])).code).toBe(3);
    // Moving it away is the fix the message gives.
    fs.renameSync(path.join(home.dir, 'store'), path.join(home.dir, 'store.damaged'));
    await home.newSession(['sleep', '600'], ['-s', 'again']);
    expect((await session('again')).state).toBe('running');
  });

  it('clients killed mid-attach leave the daemon and the other clients unaffected, and leak no descriptors', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'while :; do echo "tick $(date +%s%N)"; sleep 0.01; done'], ['-s', 'busy']);
    const daemon = home.daemonPid()!;
    const observer = await RawClient.connect(home.socket);
    observer.hello();
    observer.request(1, 'attach', { session: 'busy', readOnly: true, cols: 80, rows: 24 });
    await waitUntil('the observer to get output', () => observer.outputBytes > 0);
    const fdsBefore = openFds(daemon);

    // Real attach clients, killed with SIGKILL while output streams to them.
    const { file, args } = ccmuxCommand();
    for (let i = 0; i < 4; i++) {
      const terminal = new TestTerminal(file, [...args, 'attach', 'busy'], { env: home.env });
      terminals.push(terminal);
      await terminal.waitForOutput('tick');
      terminal.kill('SIGKILL');
      await terminal.exited;
    }
    // Protocol clients that vanish at every point of an attach: before the answer, during the repaint, live.
    for (let i = 0; i < 150; i++) {
      const client = await RawClient.connect(home.socket);
      client.hello();
      client.request(1, 'attach', { session: 'busy', cols: 100 + (i % 7), rows: 30 });
      if (i % 3 === 1) await waitUntil('the attach answer', () => client.controls().some((c) => c.type === 'response'));
      if (i % 3 === 2) await waitUntil('live output', () => client.outputBytes > 0);
      client.close();
    }

    const seen = observer.outputBytes;
    await waitUntil('the observer to keep getting output', () => observer.outputBytes > seen + 1000);
    await waitUntil('every killed client to be gone', async () => (await session('busy')).clients.length === 1);
    await waitUntil('their descriptors to be closed', () => openFds(daemon) <= fdsBefore, { detail: () => `${openFds(daemon)} open, ${fdsBefore} before` });
    expect(alive(daemon)).toBe(true);
    expect((await session('busy')).state).toBe('running');
    observer.close();
    expectCleanLog();
  });
});
