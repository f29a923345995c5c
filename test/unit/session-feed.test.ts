// The mirror worker's session feed: under a long flood, batches handed back (transferred) to the main thread as
// they are parsed must not make xterm believe they are still pending; resizes keep their place in the output;
// output read back from the recording may overlap what was had and have holes.
import { describe, expect, it } from 'vitest';
import type { MirrorReply } from '../../src/mirror/mirror-protocol';
import { SessionFeed } from '../../src/mirror/session-feed';
import { Codec } from '../../src/store/codec';
import { decodeLineBlock, encodeOutputRecord } from '../../src/store/record-format';
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

  /** Numbered lines, then a mark drawn at a fixed row: where it lands depends on the size at that point. */
  function screenful(lines: number): Buffer {
    let text = '';
    for (let line = 1; line <= lines; line++) text += `line ${line} ${'word '.repeat(line % 23)}\r\n`;
    return Buffer.from(`${text}\x1b[10;5HMARK\x1b[12;1Hprompt> `);
  }

  function collect(): { post: (reply: MirrorReply, transfer?: ArrayBuffer[]) => void; text: () => string } {
    const blocks: { offset: number; text: string }[] = [];
    return {
      post: (reply, transfer) => {
        if (reply.op === 'lines') blocks.push({ offset: reply.offset, text: decodeLineBlock(Buffer.from(reply.block)).text });
        if (transfer?.length) structuredClone(reply, { transfer });
      },
      text: () => blocks.map((block) => block.text).join('\n'),
    };
  }

  async function screenOf(feed: SessionFeed): Promise<string> {
    await feed.settled();
    return feed.screen.text({ ansi: false, scrollback: 200 }).text;
  }

  it('applies a resize after the output that came before it, however much of it is still waiting', async () => {
    const data = screenful(20_000); // far more than xterm is handed at once: most of it waits in the feed
    const early = new SessionFeed('s', 80, 24, 100, 0, () => {});
    const late = new SessionFeed('s', 80, 24, 100, 0, () => {});
    try {
      early.write(new Uint8Array(data), [0], [data.length]);
      early.resize(100, 30);
      late.write(new Uint8Array(data), [0], [data.length]);
      await late.settled();
      late.resize(100, 30);
      const [screen, expected] = await Promise.all([screenOf(early), screenOf(late)]);
      expect(screen).toContain('MARK');
      expect(screen).toBe(expected);
      expect(early.screen.terminal.cols).toBe(100);
    } finally {
      early.dispose();
      late.dispose();
    }
  });

  it('takes output back from records that overlap what it has, and goes on past what no record holds', async () => {
    const data = screenful(3000);
    const cut = [0, 40_000, 70_000, 100_000, data.length];
    const record = async (index: number) => {
      const [start, end] = [cut[index]!, cut[index + 1]!];
      const encoded = await encodeOutputRecord({ startOffset: start, reads: [{ time: index, length: end - start }], data: data.subarray(start, end) }, Codec.Zstd);
      return new Uint8Array(encoded);
    };
    const whole = collect();
    const reference = new SessionFeed('s', 80, 24, 100, 0, whole.post);
    const gappy = collect();
    const feed = new SessionFeed('s', 80, 24, 100, 0, gappy.post);
    try {
      reference.write(new Uint8Array(data), [0], [data.length]);
      // Live up to 50 000; then the recording from 50 000: record 1 starts before it, record 2 is missing
      // (70 000–100 000), and a damaged record stands for nothing.
      feed.write(new Uint8Array(data.subarray(0, 50_000)), [0], [50_000]);
      feed.writeRecords(50_000, data.length, [await record(1), new Uint8Array([9, 9, 9]), await record(3)]);
      const [screen, expected] = await Promise.all([screenOf(feed), screenOf(reference)]);
      expect(screen).toBe(expected); // the last 100 000 bytes redraw the whole screen and scrollback
      reference.flushLines(true);
      feed.flushLines(true);
      const missing = data.subarray(70_000, 100_000).toString('utf8').split('\r\n').slice(1, -1).map((line) => line.trimEnd());
      expect(missing.length).toBeGreaterThan(10);
      for (const line of missing) expect(gappy.text()).not.toContain(`${line}\n`);
      const kept = data.subarray(40_000, 70_000).toString('utf8').split('\r\n').slice(1, -1).map((line) => line.trimEnd());
      for (const line of kept) expect(gappy.text()).toContain(`${line}\n`);
      expect(whole.text()).toContain(missing[0]);
    } finally {
      reference.dispose();
      feed.dispose();
    }
  });

  it('keeps a keyframe about every MiB while it skips through a backlog read from the recording', async () => {
    const lines: string[] = []; // 24 MiB of plain coloured lines: all of it could be skipped
    for (let line = 0; lines.length * 60 < 24 * MiB; line++) lines.push(`\x1b[3${line % 7}mline ${line}\x1b[0m ${'lorem ipsum '.repeat(4)}\r\n`);
    const output = Buffer.from(lines.join(''));
    const RECORD = 256 * 1024;
    const records: Uint8Array[] = [];
    for (let at = 0; at < output.length; at += RECORD) {
      const chunk = output.subarray(at, at + RECORD);
      records.push(new Uint8Array(await encodeOutputRecord({ startOffset: at, reads: [{ time: at / MiB, length: chunk.length }], data: chunk }, Codec.Zstd)));
    }
    const keyframes: number[] = [];
    let parsed = 0;
    const feed = new SessionFeed('s', 80, 24, 1000, 0, (reply, transfer) => {
      if (reply.op === 'keyframe') keyframes.push(reply.offset);
      if (reply.op === 'parsed') parsed += reply.bytes;
      if (transfer?.length) structuredClone(reply, { transfer });
    });
    try {
      // As ScreenMirror.catchUp feeds it: 1 MiB per message, at most 2 MiB not acknowledged as parsed.
      let sent = 0;
      while (sent < output.length) {
        while (sent - parsed < 2 * MiB && sent < output.length) {
          const to = Math.min(output.length, sent + MiB);
          feed.writeRecords(sent, to, records.slice(Math.floor(sent / RECORD), Math.ceil(to / RECORD)));
          sent = to;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await feed.settled();
    } finally {
      feed.dispose();
    }
    const gaps = keyframes.slice(1).map((offset, index) => offset - keyframes[index]!);
    expect(keyframes.length).toBeGreaterThan(16);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * MiB);
  }, 60_000);
});
