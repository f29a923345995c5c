// The mirror worker's session feed under a long flood: batches handed back (transferred) to the main thread as
// they are parsed must not make xterm believe they are still pending.
import { describe, expect, it } from 'vitest';
import type { MirrorReply } from '../../src/mirror/mirror-protocol';
import { SessionFeed } from '../../src/mirror/session-feed';
import { waitUntil } from '../helpers/wait-until';

const MiB = 1024 * 1024;
const BATCH = 64 * 1024;
/** What the daemon lets wait for the mirror before it pauses the program (src/server/session.ts). */
const HIGH_WATER = 8 * MiB;

describe('session feed', () => {
  it('parses a flood far past xterm’s 50 MB discard mark when every batch is transferred back once parsed', async () => {
    let parsed = 0;
    let keyframes = 0;
    const post = (reply: MirrorReply, transfer?: ArrayBuffer[]) => {
      // As postMessage does: a transferred buffer is detached here.
      if (transfer?.length) structuredClone(reply, { transfer });
      if (reply.op === 'parsed') parsed += reply.bytes;
      if (reply.op === 'keyframe') keyframes++;
    };
    const feed = new SessionFeed('s', 80, 24, 100, 0, post);
    const line = Buffer.from(`${'x'.repeat(70)}\r\n`);
    const total = 72 * MiB;
    let sent = 0;
    try {
      while (sent < total) {
        // The daemon's flow control: keep up to HIGH_WATER unparsed, never let it drain (a sustained flood).
        while (sent - parsed < HIGH_WATER && sent < total) {
          const data = new Uint8Array(BATCH);
          for (let at = 0; at + line.length <= BATCH; at += line.length) data.set(line, at);
          feed.write(data, [sent / 1000], [BATCH]);
          sent += BATCH;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await feed.settled();
      // Keyframes are compressed off the thread: wait for the last ones to be posted.
      await waitUntil('the keyframes to be posted', () => keyframes > 0);
    } finally {
      feed.dispose();
    }
    expect(parsed).toBe(total);
  }, 60_000);
});
