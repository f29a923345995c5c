// The replay source over a real LMDB store: time → offset by headers, reads across records and gaps,
// keyframe + catch-up screens, and when a recording counts as live.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingSource } from '../../src/recording/replay/recording-source';
import { Codec } from '../../src/store/codec';
import { encodeKeyframe, encodeOutputRecord, type Read } from '../../src/store/record-format';
import { Store, type StoredSession } from '../../src/store/store';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-replay-source-'));
  store = Store.open(dir);
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function session(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    ...{ id: 'abc', name: 'rec', command: ['sh'], cwd: '/', createdAt: 0, cols: 80, rows: 24, state: 'exited', exit: { code: 0 } },
    ...{ exitedAt: 0, pid: null, lastOutputAt: null, outputBytes: 0, storedBytes: 0, trimmedBytes: 0, title: '' },
    ...overrides,
  } as StoredSession;
}

/** Stores a record of (time, text) reads starting at `offset`; returns the offset after it. */
async function record(offset: number, reads: [number, string][]): Promise<number> {
  const data = Buffer.from(reads.map(([, text]) => text).join(''));
  const list: Read[] = reads.map(([time, text]) => ({ time, length: Buffer.byteLength(text) }));
  await store.putOutput('abc', offset, await encodeOutputRecord({ startOffset: offset, reads: list, data }, Codec.Gzip));
  return offset + data.length;
}

describe('replay source', () => {
  it('maps times to offsets through record headers, across many records', async () => {
    let offset = 0;
    // 200 records of 10 reads, one read every 10 ms, each read 3 bytes.
    for (let index = 0; index < 200; index++) {
      const reads: [number, string][] = [];
      for (let read = 0; read < 10; read++) reads.push([(index * 10 + read) * 10, String((index * 10 + read) % 1000).padStart(3, '0')]);
      offset = await record(offset, reads);
    }
    await store.putSession(session({ outputBytes: offset }));
    const source = new RecordingSource(store, session({ outputBytes: offset }));
    expect(source.endOffset).toBe(6000);
    expect(source.endTime).toBe(19_990);
    expect(source.timeToOffset(-1)).toBe(0);
    expect(source.timeToOffset(0)).toBe(3);
    expect(source.timeToOffset(5)).toBe(3);
    expect(source.timeToOffset(12_340)).toBe(1235 * 3);
    expect(source.timeToOffset(19_990)).toBe(6000);
    expect(source.timeToOffset(1e9)).toBe(6000);
    for (let time = 0; time < 20_000; time += 777) expect(source.timeToOffset(time)).toBe((Math.floor(time / 10) + 1) * 3);
    expect(source.chunksAt(1234 * 3 + 1)[0]).toMatchObject({ time: 12_340, offset: 1234 * 3 + 1, data: Buffer.from('34') });
    expect(Buffer.concat([...source.bytes(2995, 3006)]).toString()).toBe('98999000001');
  });

  it('rebuilds a screen from the keyframe before an offset plus the output since', async () => {
    const end = await record(0, [
      [0, 'one '],
      [100, 'two '],
      [200, 'three'],
    ]);
    await store.putKeyframe('abc', 4, encodeKeyframe({ offset: 4, time: 0, cols: 80, rows: 24, screen: '<screen at 4>' }, Codec.Gzip));
    const source = new RecordingSource(store, session({ outputBytes: end }));
    expect(source.screenAt(3)).toEqual({ screen: undefined, catchUp: Buffer.from('one') });
    const at = source.screenAt(source.timeToOffset(150));
    expect(at.screen).toBe('<screen at 4>');
    expect(at.catchUp.toString()).toBe('two ');
  });

  it('reads past a gap (trimmed start, lost record) to the next record', async () => {
    await record(10, [[50, 'abc']]);
    const end = await record(20, [[90, 'xyz']]);
    const source = new RecordingSource(store, session({ outputBytes: end }));
    expect(source.firstOffset).toBe(10);
    expect(source.timeToOffset(0)).toBe(10);
    expect(source.timeToOffset(60)).toBe(13);
    expect(source.chunksAt(14)).toMatchObject([{ offset: 20, time: 90 }]);
    expect(Buffer.concat([...source.bytes(0, 100)]).toString()).toBe('abcxyz');
  });

  it('is live while the session runs; a running session whose program is gone ends after a quiet spell', async () => {
    const end = await record(0, [[0, 'hi']]);
    let now = 0;
    const running = session({ state: 'running', pid: process.pid, outputBytes: end });
    await store.putSession(running);
    const source = new RecordingSource(store, running, () => now);
    expect(source.live).toBe(true);

    const orphan = session({ state: 'running', pid: 0x3fffffff, outputBytes: end });
    await store.putSession(orphan);
    const cut = new RecordingSource(store, orphan, () => now);
    expect(cut.live).toBe(true);
    now = 5000;
    cut.poll();
    expect(cut.live).toBe(false);

    await store.putSession(session({ state: 'exited', outputBytes: end }));
    source.poll();
    expect(source.live).toBe(false);
    expect(source.meta.state).toBe('exited');
  });

  it('waits a little for output an exited session counts but has not committed yet', async () => {
    let now = 0;
    await record(0, [[0, 'hi']]);
    await store.putSession(session({ outputBytes: 4 }));
    const source = new RecordingSource(store, session({ outputBytes: 4 }), () => now);
    expect(source.live).toBe(true);
    now = 1000;
    source.poll();
    expect(source.live).toBe(true);
    await record(2, [[10, '!!']]);
    await store.putEvent('abc', 0, JSON.stringify({ t: 12, type: 'exit', code: 0 }));
    source.poll();
    expect(source.endOffset).toBe(4);
    expect(source.endTime).toBe(12);
    expect(source.live).toBe(false);

    // Bytes that never come (the store failed to take them) are not waited for forever.
    await store.putSession(session({ outputBytes: 10 }));
    source.poll();
    expect(source.live).toBe(true);
    now = 4000;
    source.poll();
    expect(source.live).toBe(false);
  });
});
