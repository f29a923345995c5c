// All sessions the daemon knows: live ones and recorded ones (ended or lost, from earlier daemons),
// with ids, unique names, lookup by name or id prefix, respawn and removal.
import * as path from 'node:path';
import { CcmuxError } from '../errors';
import { findSession, nameFrom, newSessionId, uniqueName } from '../session-ref';
import type { SessionInfo } from '../protocol/requests';
import { Recorder } from '../recording/recorder';
import type { RecordingStore } from '../recording/recording-store';
import type { StoredSession } from '../store/store';
import { Emitter } from '../util/emitter';
import { Session, type SessionDeps } from './session';
import { describeSession } from './session-info';

/** A default name from the program: `bash`, `claude`, then `claude-2`, `claude-3`… */
function baseName(command: string[]): string {
  return nameFrom(path.basename(command[0] ?? 'session'), 'session');
}

/** A session known only from its recording: ended or lost before this daemon started, or imported. */
export class RecordedSession {
  readonly isRunning = false;
  constructor(readonly meta: StoredSession) {}

  get id(): string {
    return this.meta.id;
  }

  get name(): string {
    return this.meta.name;
  }

  info(): SessionInfo {
    return describeSession(this.meta, undefined);
  }
}

export type AnySession = Session | RecordedSession;

export interface NewSession {
  name?: string | undefined;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  restart?: 'no' | 'on-failure' | 'always';
  maxRestarts?: number;
}

/** First restart after 1 s, doubling up to this. */
const MAX_RESTART_DELAY_MS = 30_000;

export class SessionRegistry {
  private readonly sessions = new Map<string, AnySession>();
  readonly onCreated = new Emitter<Session>();
  /** Set while the daemon stops: sessions ending then are not restarted. */
  stopping = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly recording: RecordingStore,
  ) {
    for (const meta of recording.store.sessions()) this.sessions.set(meta.id, new RecordedSession(meta));
  }

  create(spec: NewSession): Session {
    const meta: StoredSession = {
      ...this.identity(spec.name, baseName(spec.command)),
      command: spec.command,
      cwd: spec.cwd,
      createdAt: Date.now(),
      cols: spec.cols,
      rows: spec.rows,
      state: 'running',
      exit: null,
      exitedAt: null,
      pid: null,
      lastOutputAt: null,
      outputBytes: 0,
      storedBytes: 0,
      trimmedBytes: 0,
      title: '',
      ...(spec.restart && spec.restart !== 'no' ? { restart: { policy: spec.restart, max: spec.maxRestarts ?? 5, count: 0 } } : {}),
    };
    return this.start(meta, spec.env, 0);
  }

  /** Runs an ended or lost session's command again in its directory, continuing the same recording. */
  async respawn(session: AnySession, env: Record<string, string>): Promise<Session> {
    if (session.isRunning) throw new CcmuxError('invalid-state', `session ${session.name} is still running`);
    this.recording.assertUsable();
    if (session instanceof Session) {
      await session.finished;
      session.dispose('removed');
    }
    return this.start({ ...session.meta, imported: false }, env, this.recording.store.lastEventSeq(session.id) + 1);
  }

  private start(meta: StoredSession, env: Record<string, string>, nextEventSeq: number): Session {
    let session: Session | undefined;
    const recorder = new Recorder(this.recording, meta, nextEventSeq, () => session?.storeSettled());
    session = new Session(meta, env, recorder, this.deps);
    this.sessions.set(meta.id, session);
    this.recording.live.set(meta.id, meta);
    session.onExit.on((exit) => {
      void session!.finished.then(() => this.recording.live.delete(meta.id));
      this.maybeRestart(session!, exit, env);
    });
    this.onCreated.fire(session);
    return session;
  }

  /** Applies the session's restart policy after its program ended. */
  private maybeRestart(session: Session, exit: { code: number | null; signal: string | null }, env: Record<string, string>): void {
    const restart = session.meta.restart;
    if (!restart || this.stopping || session.killedOnPurpose || restart.count >= restart.max) return;
    if (restart.policy === 'on-failure' && exit.code === 0 && !exit.signal) return;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** restart.count);
    restart.count++;
    setTimeout(() => {
      // Removed, respawned or replaced meanwhile: nothing to do.
      if (this.stopping || this.sessions.get(session.id) !== session) return;
      this.respawn(session, env).catch(() => undefined);
    }, delay).unref();
  }

  /** A fresh id and a unique name: `name` as asked (refused when taken), or `base`, `base-2`… */
  identity(name: string | undefined, base: string): { id: string; name: string } {
    return { id: newSessionId((id) => this.sessions.has(id)), name: uniqueName(name, base, (taken) => Boolean(this.byName(taken))) };
  }

  /** Adds a recording written to the store by `ccmux import`; it lists and replays like any ended session. */
  addRecorded(meta: StoredSession): RecordedSession {
    if (this.byName(meta.name)) throw new CcmuxError('exists', `a session named ${meta.name} already exists`);
    const session = new RecordedSession(meta);
    this.sessions.set(meta.id, session);
    return session;
  }

  private byName(name: string): AnySession | undefined {
    for (const session of this.sessions.values()) if (session.name === name) return session;
    return undefined;
  }

  /** Finds a session by exact name, exact id, or unique id prefix. */
  resolve(ref: string): AnySession {
    return findSession(this.sessions.values(), ref);
  }

  /** A session that still has its program (running or just ended in this daemon), for live-only commands. */
  resolveLive(ref: string): Session {
    const session = this.resolve(ref);
    if (session instanceof Session) return session;
    throw new CcmuxError('invalid-state', `session ${session.name} is ${session.meta.state}; \`ccmux replay ${session.name}\` shows its recording`);
  }

  /** The running session used most recently (attach or input), for `attach` without a name. */
  mostRecent(): Session {
    let best: Session | undefined;
    for (const session of this.sessions.values()) {
      if (session instanceof Session && session.isRunning && (!best || session.lastUsedAt > best.lastUsedAt)) best = session;
    }
    if (!best) throw new CcmuxError('not-found', 'no running sessions');
    return best;
  }

  async rename(session: AnySession, newName: string): Promise<void> {
    const holder = this.byName(newName);
    if (holder && holder !== session) throw new CcmuxError('exists', `a session named ${newName} already exists`);
    if (session instanceof Session) session.name = newName;
    else {
      session.meta.name = newName;
      await this.recording.write(() => this.recording.store.putSession(session.meta));
    }
  }

  /** Forgets an ended session and deletes its recording. */
  async remove(session: AnySession): Promise<void> {
    if (session.isRunning) throw new CcmuxError('invalid-state', `session ${session.name} is running; \`ccmux kill ${session.name}\` first`);
    this.recording.assertUsable();
    if (session instanceof Session) await session.finished;
    this.sessions.delete(session.id);
    if (session instanceof Session) session.dispose('removed');
    await this.recording.store.deleteSession(session.id);
  }

  live(): Session[] {
    return [...this.sessions.values()].filter((session): session is Session => session instanceof Session);
  }

  all(): AnySession[] {
    return [...this.sessions.values()].sort((a, b) => a.meta.createdAt - b.meta.createdAt);
  }
}
