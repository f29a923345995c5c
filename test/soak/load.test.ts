// Soak (`make soak`): 100 sessions printing continuously and 20 clients attaching and detaching in a
// loop for several minutes (CCMUX_SOAK_SECONDS, default 180): every byte recorded, no leaks.
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome } from '../helpers/ccmux';
import { runLoad } from '../helpers/load';

let home: CcmuxHome;
const SECONDS = Number(process.env.CCMUX_SOAK_SECONDS ?? 180);

afterEach(async () => {
  await home.cleanup();
});

describe('soak', () => {
  it(`100 sessions and 20 clients for ${SECONDS} s: every byte recorded, ls answers, memory bounded, no leaks`, async () => {
    home = new CcmuxHome();
    const report = await runLoad(home, { sessions: 100, clients: 20, seconds: SECONDS, intervalMs: 100, seed: 100 });
    console.log(`soak: ${JSON.stringify(report)}`);
    expect(report.mismatchedSessions).toEqual([]);
    expect(report.lostBytes).toBe(0);
    // Loose: the figure is reported; this catches a daemon that stops answering.
    expect(report.lsMs.p99).toBeLessThan(10_000);
    // Bounded, not small: see docs/RELIABILITY.md for the measured figure.
    expect(report.rssMiB.max).toBeLessThan(4096);
    expect(report.fds.after).toBeLessThanOrEqual(report.fds.before);
    expect(report.children).toEqual({ after: 1, zombiesSeen: 0 });
  }, (SECONDS + 600) * 1000);
});
