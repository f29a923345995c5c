// `ccmux import`: casts recorded by the real asciinema (and v3 files with every event code) become ended
// sessions that list, export and search like recorded ones — through the daemon or with none running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCast } from '../../src/recording/cast-reader';
import { asciinemaCat, asciinemaRec } from '../helpers/asciinema';
import { CcmuxHome } from '../helpers/ccmux';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

interface SessionJson {
  name: string;
  state: string;
  cols: number;
  rows: number;
  createdAt: number;
  title: string;
  exit: { code: number | null; signal: string | null } | null;
  recording: { imported: boolean; outputBytes: number };
}

const ls = () => home.json<SessionJson[]>(['ls']);
const castOutput = (text: string) =>
  Buffer.from(
    parseCast(text)
      .events.filter((event) => event.code === 'o')
      .map((event) => event.data)
      .join(''),
    'utf8',
  );

/** A v3 file as asciinema 3 writes it: comments, input, marker, resize and exit events. */
const V3_CAST = [
  '{"version": 3, "term": {"cols": 80, "rows": 24, "type": "xterm-256color"}, "timestamp": 1504467315, "title": "Demo", "env": {"SHELL": "/bin/zsh"}}',
  '# event stream follows the header',
  '[0.248, "o", "\\u001b[1;31mHello \\u001b[32mWorld!\\u001b[0m\\r\\n"]',
  '[1.001, "o", "That was ok\\rThis is better.\\r\\n"]',
  '[0.5, "i", "ls\\r"]',
  '[3.5, "m", "chapter one"]',
  '[0.143, "o", "Now... "]',
  '# terminal window resized to 90 cols and 30 rows',
  '[2.05, "r", "90x30"]',
  '[1.541, "o", "Bye!\\r\\n"]',
  '[0.887, "x", "7"]',
  '',
].join('\n');

describe('import', () => {
  it('brings in a recording made by asciinema rec; ls shows it at once, raw and txt reproduce it', async () => {
    home = new CcmuxHome();
    const cast = path.join(home.dir, 'demo.cast');
    await asciinemaRec(cast, "printf 'alpha \\033[1mbold\\033[0m\\n'; printf 'caf\\303'; printf '\\251 two\\n'", 'Recorded here');
    await home.newSession(['sleep', '600'], ['-s', 'daemon-up']);

    expect(await home.ok(['import', cast])).toBe('demo\n');
    const demo = (await ls()).find((session) => session.name === 'demo')!;
    expect(demo).toMatchObject({ state: 'exited', exit: null, title: 'Recorded here', cols: 80, rows: 24, recording: { imported: true } });
    expect((await home.ok(['ls'])).split('\n').find((line) => line.startsWith('demo '))).toContain('exited (imported)');
    const castText = fs.readFileSync(cast, 'utf8');
    expect(demo.createdAt).toBe((JSON.parse(castText.split('\n')[0]!) as { timestamp: number }).timestamp * 1000);

    const raw = path.join(home.dir, 'demo.raw');
    await home.ok(['export', 'demo', '--format', 'raw', '-o', raw]);
    expect(fs.readFileSync(raw)).toEqual(castOutput(castText));
    expect((await home.ok(['export', 'demo', '--format', 'txt'])).split('\n')).toEqual(['alpha bold', 'café two', '']);
    // It searches and peeks like any recording.
    expect(await home.ok(['search', 'café'])).toContain('demo');
    expect(await home.peek('demo')).toContain('café two');

    // Exported again as v2, asciinema prints exactly what it printed for the original.
    const again = path.join(home.dir, 'again.cast');
    await home.ok(['export', 'demo', '--format', 'cast-v2', '-o', again]);
    const original = await asciinemaCat(cast, path.join(home.dir, 'original.out'));
    const roundTrip = await asciinemaCat(again, path.join(home.dir, 'again.out'));
    expect(roundTrip.exitCode).toBe(0);
    expect(roundTrip.stdout).toEqual(original.stdout);

    // A second import of the same file gets the next free name; -s picks one, and a taken one is refused.
    expect(await home.ok(['import', cast])).toBe('demo-2\n');
    expect(await home.ok(['import', cast, '-s', 'mine'])).toBe('mine\n');
    expect(await home.run(['import', cast, '-s', 'mine'])).toMatchObject({ code: 1, stderr: 'ccmux: a session named mine already exists\n' });
  });

  it('keeps input, markers, resizes and the exit status of a v3 file, and exports the same events back', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600']);
    const file = path.join(home.dir, 'full.cast');
    fs.writeFileSync(file, V3_CAST);
    expect(await home.ok(['import', file, '-s', 'full'])).toBe('full\n');
    const full = (await ls()).find((session) => session.name === 'full')!;
    expect(full).toMatchObject({ state: 'exited', exit: { code: 7, signal: null }, cols: 90, rows: 30, title: 'Demo', createdAt: 1504467315000 });

    const timeline = (await home.ok(['export', 'full', '--format', 'jsonl'])).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(timeline.filter((item) => item.type !== 'output')).toEqual([
      { t: 0, type: 'start', command: [], cols: 80, rows: 24, pid: null },
      { t: 1749, type: 'input', data: Buffer.from('ls\r').toString('base64') },
      { t: 5249, type: 'marker', label: 'chapter one' },
      { t: 7442, type: 'resize', cols: 90, rows: 30 },
      { t: 9870, type: 'exit', code: 7, signal: null },
    ]);
    // The cast it exports has the same events at the same times as the file (comments aside).
    const source = parseCast(V3_CAST).events.map(({ time, code, data }) => ({ time, code, data }));
    const exported = parseCast(await home.ok(['export', 'full'])).events.map(({ time, code, data }) => ({ time, code, data }));
    expect(exported).toEqual(source);
    expect((await home.ok(['export', 'full', '--format', 'txt'])).split('\n')).toEqual(['Hello World!', 'This is better.', 'Now... Bye!', '']);
  });

  it('imports straight into the store when no daemon runs; a daemon started later lists it', async () => {
    home = new CcmuxHome();
    const file = path.join(home.dir, 'offline.cast');
    fs.writeFileSync(file, V3_CAST);
    expect(await home.ok(['import', file])).toBe('offline\n');
    expect(home.daemonPid()).toBeUndefined();
    expect((await ls()).map((session) => [session.name, session.state, session.recording.imported])).toEqual([['offline', 'exited', true]]);
    expect(castOutput(await home.ok(['export', 'offline', '--format', 'cast-v2']))).toEqual(castOutput(V3_CAST));

    await home.newSession(['true'], ['-s', 'starter']);
    expect((await ls()).map((session) => session.name).sort()).toEqual(['offline', 'starter']);
    expect(await home.run(['import', file, '-s', 'offline'])).toMatchObject({ code: 1, stderr: 'ccmux: a session named offline already exists\n' });
  });

  it('refuses bad files with one line naming the line, and leaves nothing behind (daemon up or down)', async () => {
    home = new CcmuxHome();
    const write = (name: string, text: string) => {
      const file = path.join(home.dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const header = '{"version": 2, "width": 80, "height": 24}\n';
    const cases: [string, RegExp][] = [
      [write('garbage.cast', `${header}[0.1, "o", "a"]\nthis is not json\n`), /garbage\.cast line 3: not valid JSON/],
      [write('v1.cast', '{"version": 1, "width": 80, "height": 24, "stdout": []}\n'), /v1\.cast line 1: unsupported asciicast version 1/],
      [write('truncated.cast', `${header}[0.1, "o", "a"]\n[0.2, "o", "b`), /truncated\.cast line 3: truncated/],
      [write('shape.cast', `${header}[0.1, "o"]\n`), /shape\.cast line 2: expected an event \[time, code, data\]/],
      [write('size.cast', `${header}[0.1, "r", "wide"]\n`), /size\.cast line 2: a resize must be "COLSxROWS"/],
      [write('comment.cast', `${header}# v2 has no comments\n`), /comment\.cast line 2: comment lines are only allowed in asciicast v3/],
      [write('empty.cast', ''), /empty\.cast line 1: the file is empty/],
    ];
    const binary = path.join(home.dir, 'binary.cast');
    fs.writeFileSync(binary, Buffer.concat([Buffer.from(`${header}[0.1, "o", "`), Buffer.from([0xff]), Buffer.from('"]\n')]));
    cases.push([binary, /binary\.cast line 2: not valid UTF-8/]);
    for (const daemon of [false, true]) {
      if (daemon) await home.newSession(['sleep', '600'], ['-s', 'up']);
      for (const [file, message] of cases) {
        const result = await home.run(['import', file]);
        expect(result.code, file).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      }
      expect((await ls()).map((session) => session.name)).toEqual(daemon ? ['up'] : []);
    }
    expect((await home.run(['import', path.join(home.dir, 'missing.cast')])).stderr).toMatch(/^ccmux: cannot import .*missing\.cast: ENOENT/);
  });
});
