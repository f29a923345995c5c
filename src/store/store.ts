// The only lmdb importer: one environment holding every session's metadata, output, events, keyframes
// and text index, opened with the same options by the daemon and by the CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { CcmuxError } from '../errors';
import { loadNative } from '../native';
import type { ExitInfo } from '../protocol/messages';

export type StoredState = 'running' | 'exited' | 'lost';

/** A session as the store remembers it; survives daemon restarts. */
export interface StoredSession {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  createdAt: number;
  cols: number;
  rows: number;
  state: StoredState;
  exit: ExitInfo | null;
  exitedAt: number | null;
  pid: number | null;
  lastOutputAt: number | null;
  /** Output bytes the program printed (raw, before compression). */
  outputBytes: number;
  /** Bytes the recording takes in the store (compressed records). */
  storedBytes: number;
  /** Output bytes dropped by retention (trimmed from the front). */
  trimmedBytes: number;
  title: string;
  /** True for a recording brought in with `ccmux import`. */
  imported?: boolean;
  /** Notifications about this session are muted (`ccmux mute`). */
  muted?: boolean;
  /** Restart policy (`new --restart`) and how many restarts it has used. */
  restart?: { policy: 'on-failure' | 'always'; max: number; count: number };
}

export interface Keyed<T> {
  /** The key's number: an output offset (output, keyframes, text) or a sequence number (events). */
  seq: number;
  value: T;
}

const LAST = Number.MAX_SAFE_INTEGER;

/** Options every opener uses: a mismatch (e.g. compression) between daemon and CLI would corrupt reads. */
const ENV_OPTIONS = { maxDbs: 8, pageSize: 4096 } as const;

/** LMDB's meta pages (the first two pages) carry this magic after the page header. */
const LMDB_MAGIC = 0xbeefc0de;
const META_MAGIC_OFFSET = 24;

/**
 * Why `file` cannot be an LMDB data file, or undefined when its meta pages look sane. LMDB trusts the
 * file it maps: garbage there crashes the process (SIGSEGV) instead of failing, so we look first.
 */
export function checkDataFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return (error as Error).message;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return undefined; // LMDB initializes an empty file.
    if (size < 2 * ENV_OPTIONS.pageSize) return `it is truncated (${size} bytes)`;
    const word = Buffer.alloc(4);
    const valid = [0, 1].filter((page) => {
      fs.readSync(fd, word, 0, 4, page * ENV_OPTIONS.pageSize + META_MAGIC_OFFSET);
      return word.readUInt32LE(0) === LMDB_MAGIC;
    });
    return valid.length ? undefined : 'it is not an LMDB file (bad header)';
  } finally {
    fs.closeSync(fd);
  }
}

/** The identity of the data file this process mapped, to notice it being deleted or replaced. */
interface FileIdentity {
  dev: number;
  ino: number;
}

export class Store {
  private constructor(
    private readonly env: RootDatabase,
    private readonly sessionsDb: Database<StoredSession, string>,
    private readonly outputDb: Database<Buffer, [string, number]>,
    private readonly eventsDb: Database<string, [string, number]>,
    private readonly keyframesDb: Database<Buffer, [string, number]>,
    private readonly linesDb: Database<Buffer, [string, number]>,
    readonly dir: string,
    private readonly identity: FileIdentity | undefined,
  ) {}

  static open(dir: string, options: { readOnly?: boolean } = {}): Store {
    // Loaded here, not at the top level: commands that never touch the store must not pay for lmdb.
    const lmdb = loadNative('lmdb', () => require('lmdb') as typeof import('lmdb'));
    if (!options.readOnly) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!fs.existsSync(path.join(dir, 'data.mdb'))) {
      throw new CcmuxError('not-found', `no recordings yet (${dir} does not exist)`);
    }
    const damage = checkDataFile(path.join(dir, 'data.mdb'));
    if (damage) {
      throw new CcmuxError(
        'io',
        `the recording store ${dir} is damaged: ${path.join(dir, 'data.mdb')} ${damage}; move it away (mv ${dir} ${dir}.damaged) to start a new one`,
      );
    }
    let env: RootDatabase;
    try {
      env = lmdb.open({ path: dir, ...ENV_OPTIONS, readOnly: Boolean(options.readOnly) });
    } catch (error) {
      throw new CcmuxError('io', `cannot open the recording store ${dir}: ${(error as Error).message}`);
    }
    for (const file of ['data.mdb', 'lock.mdb']) {
      try {
        fs.chmodSync(path.join(dir, file), 0o600);
      } catch {
        // Read-only opener or not created yet.
      }
    }
    const db = <V>(name: string, encoding: 'binary' | 'msgpack' | 'string') => env.openDB<V, never>({ name, encoding }) as unknown;
    return new Store(
      env,
      db<StoredSession>('sessions', 'msgpack') as Database<StoredSession, string>,
      db<Buffer>('output', 'binary') as Database<Buffer, [string, number]>,
      db<string>('events', 'string') as Database<string, [string, number]>,
      db<Buffer>('keyframes', 'binary') as Database<Buffer, [string, number]>,
      db<Buffer>('lines', 'binary') as Database<Buffer, [string, number]>,
      dir,
      fileIdentity(path.join(dir, 'data.mdb')),
    );
  }

  // Sessions.
  sessions(): StoredSession[] {
    return [...this.sessionsDb.getRange({})].map((entry) => entry.value).sort((a, b) => a.createdAt - b.createdAt);
  }

  session(id: string): StoredSession | undefined {
    return this.sessionsDb.get(id);
  }

  putSession(session: StoredSession): Promise<boolean> {
    return this.sessionsDb.put(session.id, session);
  }

  // Output records (see record-format.ts), keyed by the output offset of their first byte.
  putOutput(id: string, startOffset: number, record: Buffer): Promise<boolean> {
    return this.outputDb.put([id, startOffset], record);
  }

  /** Records from the one that holds `fromOffset` on. */
  outputRecords(id: string, fromOffset = 0): Iterable<Keyed<Buffer>> {
    const first = fromOffset > 0 ? this.outputRecordAtOrBefore(id, fromOffset)?.seq ?? fromOffset : 0;
    return mapRange(this.outputDb.getRange({ start: [id, first], end: [id, LAST] }));
  }

  outputRecordAtOrBefore(id: string, offset: number): Keyed<Buffer> | undefined {
    for (const entry of mapRange(this.outputDb.getRange({ start: [id, offset], end: [id, -1], reverse: true, limit: 1 }))) return entry;
    return undefined;
  }

  lastOutputRecord(id: string): Keyed<Buffer> | undefined {
    return this.outputRecordAtOrBefore(id, LAST);
  }

  // Timeline events: one JSON object per entry (exported as JSONL).
  putEvent(id: string, seq: number, json: string): Promise<boolean> {
    return this.eventsDb.put([id, seq], json);
  }

  events(id: string, fromSeq = 0): Iterable<Keyed<string>> {
    return mapRange(this.eventsDb.getRange({ start: [id, fromSeq], end: [id, LAST] }));
  }

  lastEventSeq(id: string): number {
    for (const entry of this.eventsDb.getRange({ start: [id, LAST], end: [id, -1], reverse: true, limit: 1 })) return entry.key[1];
    return -1;
  }

  // Keyframes, keyed by the absolute output offset they represent.
  putKeyframe(id: string, offset: number, value: Buffer): Promise<boolean> {
    return this.keyframesDb.put([id, offset], value);
  }

  /** The last keyframe at or before `offset`. */
  keyframeAtOrBefore(id: string, offset: number): Keyed<Buffer> | undefined {
    for (const entry of mapRange(this.keyframesDb.getRange({ start: [id, offset], end: [id, -1], reverse: true, limit: 1 }))) return entry;
    return undefined;
  }

  keyframes(id: string): Iterable<Keyed<Buffer>> {
    return mapRange(this.keyframesDb.getRange({ start: [id, 0], end: [id, LAST] }));
  }

  // Text index blocks (see line-block.ts), keyed by the output offset of their first line.
  putLines(id: string, offset: number, block: Buffer): Promise<boolean> {
    return this.linesDb.put([id, offset], block);
  }

  lines(id: string): Iterable<Keyed<Buffer>> {
    return mapRange(this.linesDb.getRange({ start: [id, 0], end: [id, LAST] }));
  }

  /** Text-index blocks, last first (`tail` reads only as many as it needs). */
  linesFromEnd(id: string): Iterable<Keyed<Buffer>> {
    return mapRange(this.linesDb.getRange({ start: [id, LAST], end: [id, -1], reverse: true }));
  }

  /** Output records, last first. */
  outputRecordsFromEnd(id: string): Iterable<Keyed<Buffer>> {
    return mapRange(this.outputDb.getRange({ start: [id, LAST], end: [id, -1], reverse: true }));
  }

  /** Removes output records, keyframes and text that start before output offset `beforeOffset` (retention). */
  async trim(id: string, beforeOffset: number): Promise<number> {
    let freed = 0;
    await this.env.transaction(() => {
      for (const db of [this.outputDb, this.keyframesDb, this.linesDb]) {
        for (const { key, value } of db.getRange({ start: [id, 0], end: [id, beforeOffset] })) {
          freed += value.length;
          db.remove(key);
        }
      }
    });
    return freed;
  }

  /** Forgets a session entirely. */
  async deleteSession(id: string): Promise<void> {
    await this.env.transaction(() => {
      for (const db of [this.outputDb, this.eventsDb, this.keyframesDb, this.linesDb] as Database<unknown, [string, number]>[]) {
        for (const key of db.getKeys({ start: [id, 0], end: [id, LAST] })) db.remove(key);
      }
      this.sessionsDb.remove(id);
    });
  }

  /** Resolves when every write issued so far is committed. */
  committed(): Promise<unknown> {
    return this.env.committed as Promise<unknown>;
  }

  /** Size of the store on disk. */
  fileBytes(): number {
    try {
      return fs.statSync(path.join(this.dir, 'data.mdb')).size;
    } catch {
      return 0;
    }
  }

  /**
   * Why the data file this store mapped is no longer the store at `dir` (deleted, replaced or
   * overwritten), or undefined when it still is. Writes to a deleted file would vanish silently.
   */
  fileProblem(): { message: string; damaged: boolean } | undefined {
    const file = path.join(this.dir, 'data.mdb');
    const now = fileIdentity(file);
    if (!now) return { message: `${file} was deleted`, damaged: false };
    if (this.identity && (now.dev !== this.identity.dev || now.ino !== this.identity.ino)) {
      return { message: `${file} was replaced by another file`, damaged: false };
    }
    const damage = checkDataFile(file);
    return damage ? { message: `${file} was overwritten: ${damage}`, damaged: true } : undefined;
  }

  /** Picks up writes committed by another process since the last read. */
  refresh(): void {
    this.env.resetReadTxn();
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}

function fileIdentity(file: string): FileIdentity | undefined {
  try {
    const { dev, ino } = fs.statSync(file);
    return { dev, ino };
  } catch {
    return undefined;
  }
}

function* mapRange<V>(range: Iterable<{ key: [string, number]; value: V }>): Iterable<Keyed<V>> {
  for (const { key, value } of range) yield { seq: key[1], value };
}
