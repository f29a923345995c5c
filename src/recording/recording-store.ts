// The daemon's handle on the store: every write goes through here so that a failing store (disk or map
// full, deleted, read-only) degrades recording with a warning instead of taking sessions down, and
// recovers by itself; also retention (size caps, oldest first) and marking crashed sessions as lost.
import * as fs from 'node:fs';
import { CcmuxError, describeError } from '../errors';
import type { Logger } from '../server/logger';
import { peekOutputRecord } from '../store/record-format';
import { Store, type StoredSession } from '../store/store';
import { roundMicros } from './timeline';

/** After a failed write, writes are dropped for this long before they are tried again. */
const RETRY_MS = 5000;
const RETENTION_INTERVAL_MS = 10_000;
/** How often the data file is checked for having been deleted, replaced or overwritten under us. */
const WATCH_MS = 2000;
/** Below this much free space a failed write is reported as the disk being full. */
const LOW_SPACE_BYTES = 1024 * 1024;

export interface RetentionLimits {
  /** Per-session cap on stored bytes; the oldest output is trimmed first. */
  maxSessionBytes: number;
  /** Cap on the whole store; the oldest sessions' output is trimmed first. */
  maxTotalBytes: number;
}

export class RecordingStore {
  /** Why recording is degraded, or undefined when it works. */
  error: string | undefined;
  private failedAt = 0;
  /** Set when the data file is gone or damaged: recording stays off, and nothing touches the map again. */
  private lostStore: { message: string; damaged: boolean } | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionSoon: NodeJS.Timeout | undefined;
  /** Stored bytes of all sessions, kept current between retention passes. */
  private totalBytes = 0;
  /** Sessions the daemon is recording now; retention reads their live byte counts. */
  readonly live = new Map<string, StoredSession>();

  private constructor(
    readonly store: Store,
    private readonly log: Logger,
    private readonly limits: RetentionLimits,
  ) {}

  /** Sessions found running at open: cut off by a crash, now `lost`. */
  readonly lostAtStart: StoredSession[] = [];

  /** Opens the store; sessions it lists as running were cut off by a crash and become `lost`. */
  static async open(dir: string, log: Logger, limits: RetentionLimits): Promise<RecordingStore> {
    const store = Store.open(dir);
    const recording = new RecordingStore(store, log, limits);
    for (const session of store.sessions()) {
      if (session.state !== 'running') continue;
      log.warn(`session ${session.name} (${session.id}) was running when the daemon stopped; marking it lost`);
      const seq = store.lastEventSeq(session.id) + 1;
      await store.putEvent(session.id, seq, JSON.stringify({ t: lastKnownTime(store, session, seq), type: 'lost' }));
      const lost: StoredSession = { ...session, state: 'lost', pid: null };
      await store.putSession(lost);
      recording.lostAtStart.push(lost);
    }
    recording.totalBytes = store.sessions().reduce((sum, session) => sum + session.storedBytes, 0);
    recording.retentionTimer = setInterval(() => void recording.enforceRetention(), RETENTION_INTERVAL_MS);
    recording.retentionTimer.unref();
    recording.watchTimer = setInterval(() => recording.checkFile(), WATCH_MS);
    recording.watchTimer.unref();
    return recording;
  }

  /** Runs a store write unless recording is degraded; a failure degrades it (logged once). */
  async write(operation: () => Promise<unknown>): Promise<void> {
    if (this.lostStore || (this.error && Date.now() - this.failedAt < RETRY_MS)) return;
    try {
      await operation();
      if (this.error && !this.lostStore) {
        this.log.info(`recording resumed (was: ${this.error})`);
        this.error = undefined;
      }
    } catch (error) {
      const message = await this.describeFailure(error);
      if (this.lostStore) return;
      if (!this.error) this.log.error(`recording degraded, output is not being stored: ${message}; retrying every ${RETRY_MS / 1000} s`);
      this.error = message;
      this.failedAt = Date.now();
    }
  }

  /** lmdb reports a failed commit as "Commit failed" with the cause in a promise; a full disk shows as EIO. */
  private async describeFailure(error: unknown): Promise<string> {
    let cause = error;
    const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
    if (commitError) cause = await commitError.then(() => error, (reason: unknown) => reason);
    let message = describeError(cause);
    try {
      const space = fs.statfsSync(this.store.dir);
      const free = space.bavail * space.bsize;
      if (free < LOW_SPACE_BYTES) message = `no space left on the device of ${this.store.dir} (${Math.floor(free / 1024)} KiB free; ${message})`;
    } catch {
      // The directory is gone: the watch reports that.
    }
    return message;
  }

  /** The store may still be read (it was not deleted or damaged under us). */
  get readable(): boolean {
    return !this.lostStore;
  }

  /** Throws for requests that would read the store after it was lost under us. */
  assertUsable(): void {
    if (this.lostStore) throw new CcmuxError('unavailable', `the recording store is unusable: ${this.lostStore.message}`);
  }

  /** Notices the data file being deleted, replaced or overwritten: writes would vanish or crash. */
  checkFile(): void {
    if (this.lostStore) return;
    const problem = this.store.fileProblem();
    if (!problem) return;
    this.lostStore = problem;
    this.error = `${problem.message}; restart the daemon to record again`;
    this.log.error(
      `recording stopped: the recording store ${problem.message}. Sessions keep running but nothing more is recorded; ` +
        'ccmux kill-server (it ends the sessions) and a new start create a fresh store',
    );
  }

  /** A session's recording grew by `bytes`; over a cap, retention runs soon rather than on its next tick. */
  grew(session: StoredSession, bytes: number): void {
    this.totalBytes += bytes;
    const over = session.storedBytes > this.limits.maxSessionBytes || this.totalBytes > this.limits.maxTotalBytes;
    if (over && !this.retentionSoon) {
      this.retentionSoon = setTimeout(() => {
        this.retentionSoon = undefined;
        void this.enforceRetention();
      }, 200);
    }
  }

  /** Trims the oldest output of sessions over their cap, then of the oldest sessions while over the total cap. */
  async enforceRetention(): Promise<void> {
    if (this.lostStore) return;
    const sessions = this.store.sessions().map((stored) => this.live.get(stored.id) ?? stored);
    for (const session of sessions) {
      if (session.storedBytes > this.limits.maxSessionBytes) await this.trim(session, session.storedBytes - this.limits.maxSessionBytes);
    }
    let total = sessions.reduce((sum, session) => sum + session.storedBytes, 0);
    for (const session of sessions) {
      if (total <= this.limits.maxTotalBytes) break;
      total -= await this.trim(session, Math.min(session.storedBytes, total - this.limits.maxTotalBytes));
    }
    this.totalBytes = total;
  }

  /** Drops at least `bytes` of a session's oldest recording (whole records). Returns bytes freed. */
  private async trim(session: StoredSession, bytes: number): Promise<number> {
    let freed = 0;
    let beforeOffset = -1;
    // Always keep the newest record so that the end of the session stays replayable.
    const last = this.store.lastOutputRecord(session.id);
    for (const { seq, value } of this.store.outputRecords(session.id)) {
      if (freed >= bytes || seq === last?.seq) break;
      freed += value.length;
      beforeOffset = seq + peekOutputRecord(value).length;
    }
    if (beforeOffset < 0) return 0;
    let removed = 0;
    await this.write(async () => {
      removed = await this.store.trim(session.id, beforeOffset);
    });
    session.storedBytes = Math.max(0, session.storedBytes - removed);
    session.trimmedBytes = Math.max(session.trimmedBytes, beforeOffset);
    if (!this.live.has(session.id)) await this.write(() => this.store.putSession(session));
    this.log.info(`retention: trimmed ${removed} bytes of ${session.name}'s oldest output`);
    return removed;
  }

  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    clearInterval(this.watchTimer);
    clearTimeout(this.retentionSoon);
    // Closing flushes through the map: not into a file that was overwritten under us.
    if (this.lostStore?.damaged) return;
    await this.store.close();
  }
}

/** The session time of the last thing recorded (output or event): a `lost` event comes after all of it. */
function lastKnownTime(store: Store, session: StoredSession, nextSeq: number): number {
  const record = store.lastOutputRecord(session.id);
  let time = Math.max((session.lastOutputAt ?? session.createdAt) - session.createdAt, record ? peekOutputRecord(record.value).endTime : 0);
  for (const { value } of store.events(session.id, nextSeq - 1)) time = Math.max(time, (JSON.parse(value) as { t: number }).t);
  return roundMicros(time);
}
