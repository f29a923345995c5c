// Heavy output: nothing lost at exit, a stalled client costs bounded memory, nobody else is slowed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPAINT_PREFIX } from '../../src/mirror/screen';
import { CcmuxHome } from '../helpers/ccmux';
import { expectFloodPastStalledClient } from '../helpers/client-queues';
import { RawClient } from '../helpers/raw-client';
import { waitUntil } from '../helpers/wait-until';

const EXIT_AFTER = path.join(__dirname, '..', 'fixtures', 'exit-after.sh');
let home: CcmuxHome;
let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await home.cleanup();
});

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('heavy output', () => {
  it('keeps the last bytes a program prints right before it exits (≥ 1 MB, several at once)', async () => {
    home = new CcmuxHome();
    const names = await Promise.all([1, 2, 3, 4].map((n) => home.newSession([EXIT_AFTER, '200000', String(n)], ['-s', `tail${n}`])));
    for (const [index, name] of names.entries()) {
      expect((await home.run(['wait', name, '--until', 'exit', '--timeout', '60'])).code).toBe(0);
      const screen = (await home.peek(name)).trimEnd().split('\n');
      expect(screen.at(-1)).toBe('LAST-LINE-MARKER');
      expect(screen.at(-2)).toBe('200000');
      const scrollback = (await home.peek(name, ['--scrollback', '500'])).trimEnd().split('\n');
      expect(scrollback.at(-26)).toBe(String(200000 - 24));
      const [info] = (await home.json<{ name: string; exit: { code: number } }[]>(['ls'])).filter((s) => s.name === name);
      expect(info!.exit.code).toBe(index + 1);
    }
  });

  it('a client that stops reading neither grows the daemon nor stalls the program; it gets a fresh screen later', async () => {
    home = new CcmuxHome();
    // ~40 MB flat out, then a marker, then it waits.
    await home.newSession(['sh', '-c', 'sleep 0.5; head -c 40000000 /dev/zero | tr "\\0" "x"; echo; echo FLOOD-DONE; sleep 600'], ['-s', 'flood']);
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'other']);
    const daemon = home.daemonPid()!;
    const baseline = peakRssMiB(daemon);

    const stalled = await RawClient.connect(home.socket);
    clients.push(stalled);
    stalled.hello();
    stalled.request(1, 'attach', { session: 'flood', cols: 80, rows: 24 });
    await waitUntil('the attach response', () => stalled.controls().some((c) => c.type === 'response'));
    stalled.socket.pause(); // Stop reading: the kernel buffers fill, then the daemon must stop queueing.

    // Meanwhile other sessions and the CLI answer.
    await home.ok(['send', 'other', 'echo still-responsive']);
    await home.waitForScreen('other', (s) => s.includes('\nstill-responsive'), 'the other session to answer during the flood');

    await expectFloodPastStalledClient(home, 'flood', 120_000);
    const peak = peakRssMiB(daemon);
    // Loose; the queue bound above is the real proof.
    expect(peak - baseline, `daemon peak RSS grew from ${baseline} to ${peak} MiB`).toBeLessThan(200);

    const before = stalled.outputBytes;
    stalled.socket.resume();
    await waitUntil('a fresh screen for the client that caught up', () => stalled.output().includes('FLOOD-DONE'), { timeoutMs: 30_000 });
    // It was sent far less than the 40 MB the program printed.
    expect(stalled.outputBytes).toBeLessThan(20_000_000);
    expect(stalled.outputBytes).toBeGreaterThan(before);
    // What it got after catching up starts with a full repaint.
    expect(stalled.output()).toContain(REPAINT_PREFIX);
  });
});
