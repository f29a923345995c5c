// Bad input beyond the wire (see fuzz.test.ts): bad CLI arguments, a huge send, invalid UTF-8 and
// escape-sequence torture into the screen mirror — no crash, no hang, and every byte still recorded.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameKind, encodeFrame } from '../../src/protocol/frames';
import { MAX_SEND_BYTES } from '../../src/protocol/requests';
import { CcmuxHome, alive, ccmuxCommand } from '../helpers/ccmux';
import { RawClient } from '../helpers/raw-client';
import { tortureBytes } from '../helpers/torture';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await home.cleanup();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('bad input', () => {
  it('bad CLI arguments fail fast with one line and a usage or failure status, never a stack trace', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'victim']);
    const cases: string[][] = [
      ['no-such-command'],
      ['new', '--no-such-flag'],
      ['new', '-d', '-s', 'bad name!', '--', 'true'],
      ['new', '-d', '-s', 'x'.repeat(100_000), '--', 'true'],
      ['new', '-d', '--', 'no-such-program-xyz'],
      ['new', '-d', '--cwd', '/no/such/dir', '--', 'true'],
      ['resize', 'victim', 'abc', 'def'],
      ['resize', 'victim', '-5', '99999999'],
      ['send'],
      ['send', 'victim', '--keys', 'C-NoSuchKey'],
      ['wait', 'victim', '--until', 'bogus'],
      ['wait', 'victim', '--until', 'idle', '--timeout', 'soon'],
      ['kill', 'victim', '--signal', 'A;rm -rf /'],
      ['kill', 'victim', '--signal', '99999'],
      ['peek', 'victim', '--scrollback', '-1'],
      ['export', 'victim', '--format', 'exe'],
      ['search', '--regex', '(unclosed'],
      ['attach', 'x'.repeat(5000)],
      ['rename', 'victim', '../../etc'],
      ['import', '/dev/null/nope.cast'],
      ['\u00ff\ufffd\u0001', '--\u0000'.replace('\u0000', '')],
    ];
    for (const args of cases) {
      const started = Date.now();
      const result = await home.run(args, { timeoutMs: 10_000 });
      const what = `ccmux ${args.join(' ').slice(0, 80)} → ${result.code}: ${result.stderr.slice(0, 300)}`;
      expect([1, 2], what).toContain(result.code);
      expect(result.stderr, what).toMatch(/^ccmux: [^\n]+\n$/);
      expect(result.stderr, what).not.toMatch(/\n\s+at /);
      expect(Date.now() - started, what).toBeLessThan(5000);
    }
    // None of it harmed the session or the daemon.
    expect((await home.json<{ name: string; state: string }[]>(['ls'])).map((s) => [s.name, s.state])).toEqual([['victim', 'running']]);
  });

  it('a reader that goes away (`| true`) ends a command quietly: status 0, nothing on stderr', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'seq 1 20000 | sed "s/^/row /"; exec sleep 600'], ['-s', 'rows']);
    await waitUntil('the rows to be searchable', async () => (await home.run(['search', 'row 20000'])).code === 0);
    const { file, args } = ccmuxCommand();
    const command = [file, ...args].map((part) => `'${part}'`).join(' ');
    for (const ccmux of ['search row --all', 'ls', 'export rows --format txt', '--help']) {
      const script = `${command} ${ccmux} 2>"$0" | true; echo "\${PIPESTATUS[0]}"`;
      const stderrFile = path.join(home.dir, 'stderr.txt');
      const result = spawnSync('bash', ['-c', script, stderrFile], { env: home.env, encoding: 'utf8', timeout: 20_000 });
      expect(`${ccmux}: ${result.stdout.trim()} ${fs.readFileSync(stderrFile, 'utf8')}`).toBe(`${ccmux}: 0 `);
    }
  });

  it(`send takes ${MAX_SEND_BYTES} bytes whole and refuses more with a clear error, typing nothing`, async () => {
    home = new CcmuxHome();
    // Raw mode: the program counts exactly the bytes that arrive, line discipline aside.
    await home.newSession(['sh', '-c', `stty raw -echo; head -c ${MAX_SEND_BYTES} | wc -c; exec sleep 600`], ['-s', 'sink']);
    const tooBig = await home.run(['send', 'sink', '--stdin'], { input: Buffer.alloc(MAX_SEND_BYTES + 1, 'b') });
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toBe(`ccmux: stdin is ${MAX_SEND_BYTES + 1} bytes; send takes at most ${MAX_SEND_BYTES}\n`);
    await home.ok(['send', 'sink', '--stdin'], { input: Buffer.alloc(MAX_SEND_BYTES, 'a') });
    await home.waitForScreen('sink', (s) => s.trim() === String(MAX_SEND_BYTES), 'the program to count every byte sent', 30_000);
    // Straight on the wire, past the CLI's check: the daemon refuses it too, and the connection stays usable.
    const client = await RawClient.connect(home.socket);
    clients.push(client);
    client.hello();
    client.request(1, 'send', { session: 'sink', text: 'z'.repeat(MAX_SEND_BYTES + 1) });
    client.request(2, 'status', {});
    await waitUntil('both answers', () => client.controls().filter((c) => c.type === 'response').length === 2, { timeoutMs: 20_000 });
    const [refused] = client.controls().filter((c) => c.id === 1);
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad-request', message: `send.text: longer than ${MAX_SEND_BYTES} characters` } });
  });

  it('random bytes, invalid UTF-8 and escape-sequence torture: the mirror neither crashes nor hangs, and the recording is exact', async () => {
    home = new CcmuxHome();
    const torture = tortureBytes(Number(process.env.CCMUX_FUZZ_SEED ?? 99), 2_000_000);
    const file = path.join(home.dir, 'torture.bin');
    fs.writeFileSync(file, torture);
    // -opost: the tty passes the bytes on unchanged (no \n → \r\n), so the recording must equal the file.
    await home.newSession(['sh', '-c', `stty raw -echo; cat '${file}'; printf '\\033c\\033[0m\\nTORTURE-DONE\\n'; exec sleep 600`], ['-s', 'torture']);
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'bystander']);
    const daemon = home.daemonPid()!;
    await home.waitForScreen('torture', (s) => s.includes('TORTURE-DONE'), 'the mirror to get through the torture', 60_000);

    // Everything still answers: a repaint for a new client, the other session, invalid UTF-8 typed in.
    const client = await RawClient.connect(home.socket);
    clients.push(client);
    client.hello();
    client.request(1, 'attach', { session: 'bystander', cols: 80, rows: 24 });
    await waitUntil('the attach answer', () => client.controls().some((c) => c.type === 'response'));
    client.socket.write(encodeFrame(FrameKind.Input, Buffer.from([0x65, 0x63, 0x68, 0x6f, 0x20, 0xff, 0xc3, 0x28, 0x20, 0x6f, 0x6b, 0x0d])));
    await waitUntil('the shell to echo past the invalid bytes', () => client.output().includes(' ok\r\n'));
    await home.ok(['send', 'bystander', 'echo lone-surrogate-\ud800-end']);
    await home.waitForScreen('bystander', (s) => s.includes('\nlone-surrogate-\ufffd-end'), 'a lone surrogate to arrive as U+FFFD');
    expect(alive(daemon)).toBe(true);

    // Every byte is in the recording, and the cast export is valid JSON line by line.
    const exported = await waitUntil('the whole torture in the recording', async () => {
      const bytes = await exportRaw('torture');
      return bytes.includes('TORTURE-DONE') ? bytes : undefined;
    });
    expect(sha256(exported.subarray(0, torture.length))).toBe(sha256(torture));
    const cast = (await home.ok(['export', 'torture', '--format', 'cast'])).trimEnd().split('\n');
    for (const line of cast) JSON.parse(line);
  });
});

/** `export --format raw` as bytes (the helper's stdout is text). */
async function exportRaw(name: string): Promise<Buffer> {
  const out = path.join(home.dir, `${name}.raw`);
  await home.ok(['export', name, '--format', 'raw', '-o', out]);
  return fs.readFileSync(out);
}
