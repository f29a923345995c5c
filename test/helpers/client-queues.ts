// A session floods while one of its clients has stopped reading: the flood must finish (the client never
// stalls the program), the daemon must queue at most its high-water mark for that client, and drop it
// behind exactly once (it is repainted when it reads again).
import { expect } from 'vitest';
import { CLIENT_HIGH_WATER } from '../../src/server/attached-client';
import type { CcmuxHome } from './ccmux';
import { waitUntil } from './wait-until';

interface SessionClients {
  name: string;
  clients: { queuedBytes: number; resyncs: number }[];
}

/** Waits for `FLOOD-DONE` on the session's screen, watching its clients' queues meanwhile. */
export async function expectFloodPastStalledClient(home: CcmuxHome, session: string, timeoutMs: number): Promise<void> {
  let maxQueued = 0;
  let resyncs = 0;
  await waitUntil(
    'the flood to finish despite the stalled client',
    async () => {
      const found = (await home.json<SessionClients[]>(['ls'])).find((entry) => entry.name === session)!;
      for (const client of found.clients) {
        maxQueued = Math.max(maxQueued, client.queuedBytes);
        resyncs = client.resyncs;
      }
      return (await home.peek(session)).includes('FLOOD-DONE');
    },
    { timeoutMs },
  );
  expect(resyncs).toBe(1);
  // The high-water mark plus a frame or so.
  expect(maxQueued).toBeLessThan(CLIENT_HIGH_WATER + 1.5 * 1024 * 1024);
}
