// `ccmux export`: raw bytes exactly, asciicast v3/v2 that asciinema and a strict reader accept, the JSONL
// timeline, rendered text; for exited, lost and running sessions, with the daemon up or down.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCast, type CastEvent } from '../../src/recording/cast-reader';
import { asciinemaCat, asciinemaVersion } from '../helpers/asciinema';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

const WRITE_PARTS = path.join(__dirname, '..', 'fixtures', 'write-parts.cjs');
let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** `ccmux export` to a file (stdout through the test harness would be decoded as text). */
async function exportBytes(name: string, format: string): Promise<Buffer> {
  const file = path.join(home.dir, `${name}.${format}.${Date.now()}-${Math.random()}`);
  await home.ok(['export', name, '--format', format, '-o', file]);
  return fs.readFileSync(file);
}

interface JsonlItem {
  t: number;
  type: string;
  offset?: number;
  data?: string;
  [key: string]: unknown;
}

const jsonl = (text: string): JsonlItem[] => text.trimEnd().split('\n').map((line) => JSON.parse(line) as JsonlItem);

/** The parts a program writes: invalid UTF-8, characters split across writes, then > 1 MB right before exit. */
function writeParts(dir: string): { files: string[]; bytes: Buffer } {
  const bytes = (...pieces: (string | number[])[]) => Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece))));
  const lines: Buffer[] = [];
  for (let n = 0, size = 0; size < 1_100_000; n++) {
    lines.push(bytes(`line ${n} ünïcödé ✓ 😀 `, [0xff], '\r\n'));
    size += lines[n]!.length;
  }
  const parts = [
    bytes('start: invalid ', [0xff, 0xfe], ' ', [0xc3], '( then caf', [0xc3]), // é split after its first byte
    bytes([0xa9], ' euro ', [0xe2, 0x82]), // € split after two bytes
    bytes([0xac], ' and emoji ', [0xf0, 0x9f]), // 😀 split in half
    bytes([0x98, 0x80], ' every byte: ', Array.from({ length: 256 }, (_, i) => i), '\r\n'),
    Buffer.concat(lines),
  ];
  const files = parts.map((part, index) => {
    const file = path.join(dir, `part-${index}`);
    fs.writeFileSync(file, part);
    return file;
  });
  return { files, bytes: Buffer.concat(parts) };
}

/** `ccmux export` to stdout (a pipe), collected as bytes. */
function exportStdout(name: string, format: string): Promise<Buffer> {
  const { file, args } = ccmuxCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, 'export', name, '--format', format], { env: home.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`export exited ${code}`))));
  });
}

function outputOf(events: CastEvent[]): string {
  return events.filter((event) => event.code === 'o').map((event) => event.data).join('');
}

describe('export', () => {
  it('reproduces the bytes a program wrote exactly, and asciicast text that decodes them as a whole', async () => {
    home = new CcmuxHome();
    const { files, bytes } = writeParts(home.dir);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    // `stty raw`: no \n → \r\n translation, so the PTY passes the program's bytes unchanged.
    const script = 'stty raw -echo && exec "$0" "$@"';
    await home.newSession(['sh', '-c', script, process.execPath, WRITE_PARTS, ...files], ['-s', 'bytes', '-e', 'EXIT_STATUS=5']);
    expect((await home.run(['wait', 'bytes', '--until', 'exit', '--timeout', '60'])).code).toBe(0);

    const raw = await exportBytes('bytes', 'raw');
    expect(raw.length).toBe(bytes.length);
    expect(sha256(raw)).toBe(sha256(bytes));
    // To stdout as well (a pipe), byte for byte.
    expect(sha256(await exportStdout('bytes', 'raw'))).toBe(sha256(bytes));

    // The split characters really arrived in separate reads…
    const timeline = jsonl((await exportBytes('bytes', 'jsonl')).toString('utf8'));
    const reads = timeline.filter((item) => item.type === 'output').map((item) => Buffer.from(item.data!, 'base64'));
    expect(reads.some((read) => read.at(-1) === 0xc3)).toBe(true);
    // …yet the casts carry them whole: U+FFFD only where the bytes are truly invalid.
    const text = new TextDecoder().decode(bytes);
    const v3 = parseCast((await exportBytes('bytes', 'cast')).toString('utf8'));
    const v2 = parseCast((await exportBytes('bytes', 'cast-v2')).toString('utf8'));
    expect(v3.header).toMatchObject({ version: 3, cols: 80, rows: 24 });
    expect(v2.header).toMatchObject({ version: 2, cols: 80, rows: 24 });
    expect(outputOf(v3.events)).toBe(text);
    expect(outputOf(v2.events)).toBe(text);
    expect(v3.events.at(-1)).toMatchObject({ code: 'x', data: '5' });

    // asciinema itself prints the same text from the v2 file.
    const castFile = path.join(home.dir, 'bytes-v2.cast');
    await home.ok(['export', 'bytes', '--format', 'cast-v2', '-o', castFile]);
    const cat = await asciinemaCat(castFile, path.join(home.dir, 'cat-v2.out'));
    expect(cat.exitCode).toBe(0);
    expect(sha256(cat.stdout)).toBe(sha256(Buffer.from(text, 'utf8')));
  });

  it('writes asciicast v3 and v2 with markers, resizes, input and exit, both readable by asciinema or a strict reader', async () => {
    home = new CcmuxHome();
    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ recording: { input: true } }));
    const program = 'printf "ready \\033[32mgreen\\033[0m\\n"; read a; printf "after é\\n"; read b; printf "bye\\n"; exit 3';
    await home.newSession(['sh', '-c', program], ['-s', 'cast', '-x', '80', '-y', '24']);
    await home.waitForScreen('cast', (s) => s.includes('ready green'), 'the first prompt');
    await home.ok(['mark', 'cast', 'first', 'mark']);
    await home.ok(['resize', 'cast', '100', '30']);
    await home.ok(['send', 'cast', 'go']);
    await home.waitForScreen('cast', (s) => s.includes('after é'), 'the second line');
    await home.ok(['send', 'cast', 'end']);
    expect((await home.run(['wait', 'cast', '--until', 'exit'])).code).toBe(0);

    const raw = await exportBytes('cast', 'raw');
    const text = new TextDecoder().decode(raw);
    const v3Text = (await exportStdout('cast', 'cast')).toString('utf8');
    const v2Text = (await exportStdout('cast', 'cast-v2')).toString('utf8');
    const v3 = parseCast(v3Text);
    const v2 = parseCast(v2Text);
    const header3 = JSON.parse(v3Text.split('\n')[0]!) as Record<string, unknown>;
    expect(header3).toMatchObject({ version: 3, term: { cols: 80, rows: 24, type: 'xterm-256color' }, command: expect.stringContaining('sh -c') });
    expect(Number.isInteger(header3.timestamp)).toBe(true);
    expect(JSON.parse(v2Text.split('\n')[0]!)).toMatchObject({ version: 2, width: 80, height: 24 });

    for (const cast of [v3, v2]) {
      expect(outputOf(cast.events)).toBe(text);
      const codes = cast.events.map((event) => [event.code, event.code === 'o' ? '' : event.data]);
      expect(codes).toContainEqual(['m', 'first mark']);
      expect(codes).toContainEqual(['r', '100x30']);
      expect(codes).toContainEqual(['i', 'go\r']);
      expect(codes).toContainEqual(['i', 'end\r']);
      expect(cast.events.at(-1)).toMatchObject({ code: 'x', data: '3' });
      // In time order, the marker before the resize before the input that followed them.
      const at = (code: string, data: string) => cast.events.findIndex((event) => event.code === code && event.data === data);
      expect(at('m', 'first mark')).toBeLessThan(at('r', '100x30'));
      expect(at('r', '100x30')).toBeLessThan(at('i', 'go\r'));
      for (let index = 1; index < cast.events.length; index++) expect(cast.events[index]!.time).toBeGreaterThanOrEqual(cast.events[index - 1]!.time);
    }
    // v3 intervals (ms) add up to v2's absolute times (µs) within half a millisecond: no drift.
    expect(v3.events.length).toBe(v2.events.length);
    v3.events.forEach((event, index) => expect(Math.abs(event.time - v2.events[index]!.time)).toBeLessThanOrEqual(0.5 + 1e-6));
    for (const line of v3Text.trimEnd().split('\n').slice(1)) expect(line).toMatch(/^\[\d+\.\d{3}, "[oimrx]", /);

    // The real asciinema: `cat` prints the v2 output exactly; v3 only if this asciinema reads v3.
    const v2File = path.join(home.dir, 'cast-v2.cast');
    const v3File = path.join(home.dir, 'cast-v3.cast');
    fs.writeFileSync(v2File, v2Text);
    fs.writeFileSync(v3File, v3Text);
    const cat2 = await asciinemaCat(v2File, path.join(home.dir, 'cat2.out'));
    expect(cat2.exitCode).toBe(0);
    expect(cat2.stdout.toString('utf8')).toBe(text);
    const [major] = await asciinemaVersion();
    const cat3 = await asciinemaCat(v3File, path.join(home.dir, 'cat3.out'));
    if (major! >= 3) {
      expect(cat3.exitCode).toBe(0);
      expect(cat3.stdout.toString('utf8')).toBe(text);
    } else {
      // asciinema 2.x (Debian bookworm ships 2.2.0) reads only v1 and v2.
      expect(cat3.terminal).toContain('only asciicast v1 and v2 formats can be opened');
    }
  });

  it('lists the whole timeline as JSONL in time order with base64 payloads; txt has the lines without escapes', async () => {
    home = new CcmuxHome();
    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ recording: { input: true } }));
    const program = 'printf "\\033[1;31mred alert\\033[0m and \\033[38;5;40mgreen\\033[0m\\n"; read a; printf "\\033[4mdone\\033[0m\\n"';
    await home.newSession(['sh', '-c', program], ['-s', 'colours']);
    await home.waitForScreen('colours', (s) => s.includes('red alert'), 'the coloured line');
    await home.ok(['mark', 'colours', 'checkpoint']);
    await home.ok(['send', 'colours', 'next']);
    expect((await home.run(['wait', 'colours', '--until', 'exit'])).code).toBe(0);

    const items = jsonl(await home.ok(['export', 'colours', '--format', 'jsonl']));
    for (let index = 1; index < items.length; index++) expect(items[index]!.t).toBeGreaterThanOrEqual(items[index - 1]!.t);
    const types = items.map((item) => item.type);
    expect(types[0]).toBe('start');
    expect(types).toContain('marker');
    expect(types.indexOf('exit')).toBeGreaterThan(types.lastIndexOf('output'));
    const outputs = items.filter((item) => item.type === 'output');
    let offset = 0;
    for (const item of outputs) {
      expect(item.offset).toBe(offset);
      offset += Buffer.from(item.data!, 'base64').length;
    }
    expect(Buffer.concat(outputs.map((item) => Buffer.from(item.data!, 'base64')))).toEqual(await exportBytes('colours', 'raw'));
    const input = items.find((item) => item.type === 'input')!;
    expect(Buffer.from(input.data!, 'base64').toString()).toBe('next\r');
    expect(items.find((item) => item.type === 'marker')).toMatchObject({ label: 'checkpoint' });

    // The text index is written a moment after the output: wait for the last line to be indexed.
    const txt = await waitUntil('the text index to hold the last line', async () => {
      const text = await home.ok(['export', 'colours', '--format', 'txt']);
      return text.includes('done') ? text : undefined;
    });
    expect(txt).not.toContain('\x1b');
    expect(txt.split('\n')).toEqual(expect.arrayContaining(['red alert and green', 'next', 'done']));
  });

  it('exports a running session, a lost one, and with no daemon at all', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo before-crash; exec sleep 600'], ['-s', 'doomed']);
    const [info] = await home.json<{ pid: number }[]>(['ls']);
    home.track(info!.pid);
    // Running: what is committed so far (records are sealed within 50 ms).
    await waitUntil('the running session to be exportable', async () => (await home.ok(['export', 'doomed', '--format', 'raw'])).includes('before-crash'));
    await waitUntil('its text index', async () => (await home.ok(['export', 'doomed', '--format', 'txt'])).includes('before-crash'));

    const daemon = home.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitUntil('the daemon to die', () => {
      try {
        process.kill(daemon, 0);
        return false;
      } catch {
        return true;
      }
    });
    // Daemon down: the store is read directly.
    expect(await home.ok(['export', 'doomed', '--format', 'raw'])).toBe('before-crash\r\n');
    expect(outputOf(parseCast(await home.ok(['export', 'doomed'])).events)).toBe('before-crash\r\n');

    // A new daemon finds the session cut off and marks it lost; it still exports.
    await home.newSession(['true']);
    const sessions = await home.json<{ name: string; state: string }[]>(['ls']);
    expect(sessions.find((session) => session.name === 'doomed')!.state).toBe('lost');
    expect(outputOf(parseCast(await home.ok(['export', 'doomed', '--format', 'cast-v2'])).events)).toBe('before-crash\r\n');
    const timeline = jsonl(await home.ok(['export', 'doomed', '--format', 'jsonl']));
    expect(timeline.at(-1)!.type).toBe('lost');
    expect(timeline.at(-1)!.t).toBeGreaterThanOrEqual(timeline.at(-2)!.t);

    await home.ok(['kill-server']);
    expect(await home.ok(['export', 'doomed', '--format', 'txt'])).toBe('before-crash\n');
  });

  it('writes -o files atomically with mode 0600, shows progress only on a terminal, and refuses bad input', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'seq 1 200000'], ['-s', 'numbers']);
    expect((await home.run(['wait', 'numbers', '--until', 'exit'])).code).toBe(0);
    const out = path.join(home.dir, 'out');
    fs.mkdirSync(out);
    const file = path.join(out, 'numbers.cast');
    fs.writeFileSync(file, 'old contents');
    const result = await home.run(['export', 'numbers', '-o', file]);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(out)).toEqual(['numbers.cast']);
    expect(outputOf(parseCast(fs.readFileSync(file, 'utf8')).events).split('\r\n').at(-2)).toBe('200000');

    // stderr on a terminal: a progress line (erased at the end).
    const { file: ccmux, args } = ccmuxCommand();
    const terminal = new TestTerminal(ccmux, [...args, 'export', 'numbers', '--format', 'raw', '-o', path.join(out, 'numbers.raw')], { env: home.env });
    try {
      expect((await terminal.exited).exitCode).toBe(0);
      expect(terminal.output()).toContain('exporting numbers');
    } finally {
      await terminal.dispose();
    }

    const badFormat = await home.run(['export', 'numbers', '--format', 'mp4']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toBe('ccmux: --format expects one of cast, cast-v2, jsonl, txt, raw, got "mp4"\n');
    const missing = await home.run(['export', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'ccmux: no session named "nope"\n' });
    const noDir = await home.run(['export', 'numbers', '-o', path.join(home.dir, 'no', 'such', 'dir', 'x.cast')]);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/^ccmux: cannot write .*x\.cast: ENOENT/);
  });
});
