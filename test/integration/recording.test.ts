// Recording: survives a daemon crash (sessions become lost), retention caps, search, respawn, rm/prune.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordedEvents } from '../../src/recording/timeline';
import { Store } from '../../src/store/store';
import { CcmuxHome, alive } from '../helpers/ccmux';
import { waitUntil } from '../helpers/wait-until';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

interface SessionJson {
  id: string;
  name: string;
  state: string;
  recording: { outputBytes: number; storedBytes: number; trimmedBytes: number; error: string | null };
}

async function session(name: string): Promise<SessionJson> {
  return (await home.json<SessionJson[]>(['ls'])).find((s) => s.name === name)!;
}

function events(name: string): { type: string; [key: string]: unknown }[] {
  const store = Store.open(path.join(home.dir, 'store'), { readOnly: true });
  try {
    const meta = store.sessions().find((s) => s.name === name)!;
    return [...recordedEvents(store, meta.id)];
  } finally {
    void store.close();
  }
}

describe('recording', () => {
  it('keeps everything committed before a daemon SIGKILL; the session is lost, loss is bounded', async () => {
    home = new CcmuxHome();
    const side = path.join(home.dir, 'printed.txt');
    await home.newSession([process.execPath, path.join(FIXTURES, 'counter.cjs'), side], ['-s', 'counter']);
    const lastPrinted = () => fs.readFileSync(side, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
    await waitUntil('a few thousand lines', () => lastPrinted()[0] > 20_000, { timeoutMs: 30_000 });
    const daemon = home.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitUntil('the daemon to die', () => !alive(daemon));
    const [printed, printedAt] = lastPrinted();

    // With no daemon the session is listed from the store, already as lost.
    expect((await home.json<SessionJson[]>(['ls']))[0]).toMatchObject({ name: 'counter', state: 'lost' });
    await home.newSession(['true'], ['-s', 'restart']);
    const lost = await session('counter');
    expect(lost.state).toBe('lost');
    expect(events('counter').at(-1)!.type).toBe('lost');

    const screen = await home.peek('counter');
    // The last complete line on the recorded screen (a record boundary may cut the very last one).
    const complete = [...screen.matchAll(/line (\d+) (\d{13})\b/g)].at(-1)!;
    const [lastLine, lastAt] = [Number(complete[1]), Number(complete[2])];
    // The program may have written up to one batch (50 lines) after its last side-file entry.
    const lostMs = Math.max(0, printedAt - lastAt);
    console.log(`SIGKILL loss: ${Math.max(0, printed - lastLine)} lines, the last ${lostMs} ms of output`);
    expect(lastLine).toBeGreaterThan(10_000);
    // Complete up to that window: the raw recording is lines 1…N exactly, none missing, doubled or torn
    // (only the very last may be cut by the kill).
    const raw = await home.ok(['export', 'counter', '--format', 'raw']);
    const numbers = [...raw.matchAll(/line (\d+) \d{13}\r\n/g)].map((match) => Number(match[1]));
    expect(numbers.length).toBeGreaterThanOrEqual(lastLine - 1);
    expect(numbers.findIndex((n, i) => n !== i + 1)).toBe(-1);
    expect(raw.length - numbers.reduce((sum, n) => sum + `line ${n} 0000000000000\r\n`.length, 0)).toBeLessThan(40);
    // The flush tick is 50 ms; commit and compression add a little. Generous for 2 loaded cores.
    expect(lostMs).toBeLessThan(1000);
  });

  it('trims the oldest output of a session over its cap, keeping the newest', async () => {
    home = new CcmuxHome();
    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ recording: { maxSessionBytes: 1024 * 1024 } }));
    // ~4 MB of output that does not compress well.
    await home.newSession(['sh', '-c', 'head -c 3000000 /dev/urandom | base64; echo THE-END; sleep 600'], ['-s', 'big']);
    await home.waitForScreen('big', (s) => s.includes('THE-END'), 'the output to finish', 30_000);
    const trimmed = await waitUntil('retention to trim', async () => {
      const info = await session('big');
      return info.recording.trimmedBytes > 0 && info.recording.storedBytes <= 1.2 * 1024 * 1024 ? info : undefined;
    });
    expect(trimmed.recording.outputBytes).toBeGreaterThan(4_000_000);
    await waitUntil('the newest output to stay searchable', async () => (await home.run(['search', 'THE-END'])).code === 0);
    expect(fs.readFileSync(home.log, 'utf8')).toMatch(/retention: trimmed \d+ bytes of big's oldest output/);
  });

  it("search finds rendered lines across sessions, and a spinner's thousands of redraws count once", async () => {
    home = new CcmuxHome();
    await home.newSession([path.join(FIXTURES, 'spinner.sh')], ['-s', 'spin']);
    await home.newSession(['sh', '-c', 'printf "\\033[1mbuild\\033[0m working fine\\nerror: Working set too large\\n\\303\\234n\\303\\257code Stra\\303\\237e\\n"; sleep 600'], ['-s', 'log']);
    await home.waitForScreen('spin', (s) => s.includes('all done'), 'the spinner to finish', 30_000);
    type Hit = { session: string; line: string; count: number; time: number; replay: string; before: string[] };
    const hits = await waitUntil('the text index to be written', async () => {
      const result = await home.run(['search', 'working', '-i', '--all', '--json']);
      const found = result.code === 0 ? (JSON.parse(result.stdout) as Hit[]) : [];
      return found.length >= 3 ? found : undefined;
    });
    expect(hits.filter((hit) => hit.session === 'spin').map((hit) => hit.line)).toEqual(['⠋ working on it 2999']);
    expect(hits.filter((hit) => hit.session === 'log').map((hit) => hit.line)).toEqual(['build working fine', 'error: Working set too large']);
    expect(hits[0]!.replay).toMatch(/^ccmux replay spin --from \d+$/);

    const thinking = JSON.parse((await home.ok(['search', 'thinking hard', '--all', '--json'])).toString()) as Hit[];
    expect(thinking).toHaveLength(1);

    const regex = JSON.parse(await home.ok(['search', '--regex', '^error: \\w+', '-s', 'log', '--json'])) as Hit[];
    expect(regex.map((hit) => hit.line)).toEqual(['error: Working set too large']);
    expect(regex[0]!.before).toEqual(['build working fine']);

    const none = await home.run(['search', 'no-such-text-anywhere']);
    expect(none.code).toBe(1);
    // Literals are matched exactly (case-sensitive by default), case-blind with -i, non-ASCII letters too.
    expect((await home.run(['search', 'Working fine'])).code).toBe(1);
    const unicode = JSON.parse(await home.ok(['search', '-i', 'üNÏCODE straße', '--json'])) as Hit[];
    expect(unicode.map((hit) => hit.line)).toEqual(['Ünïcode Straße']);
    const human = await home.ok(['search', 'set too large']);
    expect(human).toContain('> error: Working set too large');
  });

  it('records a title that only animates (spinner, counter) a few times, and every real change', async () => {
    home = new CcmuxHome();
    const frames = 'i=0; while [ $i -lt 2000 ]; do printf "\\033]0;⠋ Working (%ds)\\007" $i; i=$((i+1)); done';
    await home.newSession(['sh', '-c', `${frames}; printf "\\033]0;Done\\007ended\\n"; exec sleep 600`], ['-s', 'titles']);
    await home.waitForScreen('titles', (screen) => screen.includes('ended'), 'the titles to be set');
    type Event = { type: string; title?: string };
    const titles = await waitUntil('the last title to be recorded', async () => {
      const events = (await home.ok(['export', 'titles', '--format', 'jsonl'])).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Event);
      const found = events.filter((event) => event.type === 'title').map((event) => event.title);
      return found.at(-1) === 'Done' ? found : undefined;
    });
    expect(titles[0]).toBe('⠋ Working (0s)');
    expect(titles.length).toBeLessThan(10);
  });

  it('respawn runs the command again in the same timeline; mark adds a marker', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo run-$$; exec sleep 600'], ['-s', 'again']);
    await home.waitForScreen('again', (s) => /run-\d+/.test(s), 'the first run');
    await home.ok(['mark', 'again', 'first', 'run']);
    await home.ok(['kill', 'again']);
    const before = await session('again');
    expect(await home.ok(['respawn', 'again'])).toBe('again\n');
    await home.waitForScreen('again', (s) => s.match(/run-\d+/g)?.length === 1 && (s.match(/run-\d+/)?.[0] ?? '') !== '', 'the second run');
    const after = await session('again');
    expect(after.id).toBe(before.id);
    expect(after.state).toBe('running');
    await waitUntil('both runs in the index', async () => {
      const result = await home.run(['search', 'run-', '--all', '--json']);
      return result.code === 0 && (JSON.parse(result.stdout) as unknown[]).length === 2;
    });
    const types = events('again').map((event) => event.type);
    expect(types.filter((type) => type === 'start')).toHaveLength(2);
    expect(events('again').find((event) => event.type === 'marker')).toMatchObject({ label: 'first run' });
    const running = await home.run(['respawn', 'again']);
    expect(running.stderr).toBe('ccmux: session again is still running\n');
  });

  it('rm deletes a recording and prune removes ended sessions, with or without a daemon', async () => {
    home = new CcmuxHome();
    for (const name of ['one', 'two', 'three']) await home.newSession(['sh', '-c', `echo ${name}-text`], ['-s', name]);
    for (const name of ['one', 'two', 'three']) await home.ok(['wait', name, '--until', 'exit']);
    await home.ok(['rm', 'one']);
    expect((await home.json<SessionJson[]>(['ls'])).map((s) => s.name)).toEqual(['two', 'three']);
    const dry = await home.ok(['prune', '--exited', '--dry-run']);
    expect(dry).toContain('would delete two');
    expect(await home.ok(['prune', '--older-than', '1h'])).toBe('');
    await home.ok(['kill-server']);
    await home.ok(['rm', 'two']);
    expect((await home.json<SessionJson[]>(['ls'])).map((s) => s.name)).toEqual(['three']);
    await home.ok(['prune', '--exited']);
    expect(await home.ok(['ls'])).toBe('no sessions\n');
    const none = await home.run(['search', 'three-text']);
    expect(none.code).toBe(1);
    const bad = await home.run(['prune']);
    expect(bad.code).toBe(2);
  });
});
