// A screen mirror that falls behind a flood reads the output back from the recording and ends up exactly
// where one that kept up is: the same screen, scrollback, size and text index (a differential test of two
// daemons, one of which may keep only 64 KiB in memory for its mirror).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome } from '../helpers/ccmux';
import { waitUntil } from '../helpers/wait-until';

const FLOOD = path.join(__dirname, '..', 'fixtures', 'flood-screen.cjs');
let homes: CcmuxHome[] = [];

afterEach(async () => {
  await Promise.all(homes.map((home) => home.cleanup()));
  homes = [];
});

interface Listed {
  name: string;
  recording: { outputBytes: number };
  mirror: { lagBytes: number; fellBehind: number } | null;
}

async function listed(home: CcmuxHome, name: string): Promise<Listed> {
  return (await home.json<Listed[]>(['ls'])).find((session) => session.name === name)!;
}

/** Starts the flood and waits until the daemon has read every byte the program wrote. */
async function flood(home: CcmuxHome, mebibytes: number): Promise<number> {
  const side = path.join(home.dir, 'flood.bytes');
  await home.newSession([process.execPath, FLOOD, '7', String(mebibytes), side], ['-s', 'flood', '-x', '80', '-y', '24']);
  const bytes = await waitUntil('the program to finish printing', () => fs.existsSync(side) && Number(fs.readFileSync(side, 'utf8')), { timeoutMs: 60_000 });
  await waitUntil('the daemon to read all of it', async () => (await listed(home, 'flood')).recording.outputBytes === bytes, { timeoutMs: 60_000 });
  return bytes;
}

describe('screen mirror catch-up', () => {
  it('a mirror that fell behind shows exactly what one that kept up shows: screen, scrollback, size, text index', async () => {
    const behind = new CcmuxHome({ CCMUX_MIRROR_BACKLOG: String(64 * 1024) });
    const keptUp = new CcmuxHome();
    homes = [behind, keptUp];
    // Small enough that 8 MiB of backlog (the default) never fills: that mirror is fed from memory throughout.
    const [bytes, sameBytes] = await Promise.all([flood(behind, 6), flood(keptUp, 6)]);
    expect(sameBytes).toBe(bytes);

    // A resize right after the flood, while the lagging mirror is still catching up, must land after all of it.
    await Promise.all(homes.map((home) => home.ok(['resize', 'flood', '100', '30'])));
    const [screen, expected] = await Promise.all(homes.map((home) => home.peek('flood', ['--ansi', '--scrollback', '400'])));
    expect(screen).toContain('FINAL-SCREEN 7');
    expect(screen).toBe(expected);

    const [lagging, steady] = await Promise.all(homes.map((home) => listed(home, 'flood')));
    expect(lagging.mirror!.fellBehind).toBeGreaterThan(0);
    expect(steady.mirror!.fellBehind).toBe(0);
    expect(lagging.mirror!.lagBytes).toBe(0);

    // Search reads the text index the lagging mirror built from the recording.
    const [found, foundExpected] = await Promise.all(homes.map((home) => home.ok(['search', '-s', 'flood', 'line 012345'])));
    expect(found.split('\n').filter((line) => line.startsWith('  > '))).toEqual(foundExpected.split('\n').filter((line) => line.startsWith('  > ')));
    expect(found).toContain('> line 012345');

    // The whole text index, once the session ended.
    await Promise.all(homes.map((home) => home.ok(['kill', 'flood'])));
    await Promise.all(homes.map((home) => home.ok(['wait', 'flood', '--until', 'exit', '--timeout', '30'])));
    const [text, textExpected] = await Promise.all(homes.map((home) => home.ok(['export', 'flood', '--format', 'txt'])));
    expect(text.length).toBeGreaterThan(bytes / 2);
    expect(text).not.toContain('\ufffd');
    expect(text).toBe(textExpected);
  });
});
