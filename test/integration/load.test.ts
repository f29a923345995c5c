// Load, small: sessions printing while clients attach and detach; nothing lost, nothing leaked.
// The long version with 100 sessions and 20 clients is test/soak/load.test.ts (`make soak`).
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome } from '../helpers/ccmux';
import { runLoad } from '../helpers/load';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

describe('load', () => {
  it('10 printing sessions and 4 clients attaching in a loop: every byte recorded, responsive, no leaks', async () => {
    home = new CcmuxHome();
    const report = await runLoad(home, { sessions: 10, clients: 4, seconds: 6, intervalMs: 10, seed: 11 });
    console.log(`load: ${JSON.stringify(report)}`);
    expect(report.mismatchedSessions).toEqual([]);
    expect(report.lostBytes).toBe(0);
    expect(report.attachCycles).toBeGreaterThan(20);
    expect(report.lsMs.p99).toBeLessThan(1000);
    expect(report.fds.after).toBeLessThanOrEqual(report.fds.before);
    expect(report.children).toEqual({ after: 1, zombiesSeen: 0 });
  });
});
