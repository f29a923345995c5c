// All sessions of the daemon, with ids, unique names, and lookup by name or id prefix.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { CcmuxError } from '../errors';
import { SESSION_NAME_PATTERN } from '../protocol/requests';
import { Emitter } from '../util/emitter';
import { Session, type SessionDeps, type SessionSpec } from './session';

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id (6 characters, no look-alike letters); stable for the session's life. */
function newId(): string {
  const bytes = randomBytes(6);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** A default name from the program: `bash`, `claude`, then `claude-2`, `claude-3`… */
function baseName(command: string[]): string {
  const program = path.basename(command[0] ?? 'session').replace(/[^A-Za-z0-9._@+-]/g, '');
  return SESSION_NAME_PATTERN.test(program) ? program.slice(0, 48) : 'session';
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  readonly onCreated = new Emitter<Session>();

  constructor(private readonly deps: SessionDeps) {}

  create(spec: Omit<SessionSpec, 'id' | 'name'> & { name?: string | undefined }): Session {
    if (spec.name !== undefined && this.byName(spec.name)) {
      throw new CcmuxError('exists', `a session named ${spec.name} already exists`);
    }
    let id = newId();
    while (this.sessions.has(id)) id = newId();
    const name = spec.name ?? this.freeName(baseName(spec.command));
    const session = new Session({ ...spec, id, name }, this.deps);
    this.sessions.set(id, session);
    this.onCreated.fire(session);
    return session;
  }

  private freeName(base: string): string {
    if (!this.byName(base)) return base;
    for (let n = 2; ; n++) if (!this.byName(`${base}-${n}`)) return `${base}-${n}`;
  }

  private byName(name: string): Session | undefined {
    for (const session of this.sessions.values()) if (session.name === name) return session;
    return undefined;
  }

  /** Finds a session by exact name, exact id, or unique id prefix. */
  resolve(ref: string): Session {
    const named = this.byName(ref);
    if (named) return named;
    const exact = this.sessions.get(ref);
    if (exact) return exact;
    const matches = [...this.sessions.values()].filter((session) => session.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new CcmuxError('ambiguous', `"${ref}" matches ${matches.length} sessions: ${matches.map((s) => s.name).join(', ')}`);
    }
    throw new CcmuxError('not-found', `no session named "${ref}"`);
  }

  /** The running session used most recently (attach or input), for `attach` without a name. */
  mostRecent(): Session {
    let best: Session | undefined;
    for (const session of this.sessions.values()) {
      if (session.isRunning && (!best || session.lastUsedAt > best.lastUsedAt)) best = session;
    }
    if (!best) throw new CcmuxError('not-found', 'no running sessions');
    return best;
  }

  rename(session: Session, newName: string): void {
    const holder = this.byName(newName);
    if (holder && holder !== session) throw new CcmuxError('exists', `a session named ${newName} already exists`);
    session.name = newName;
  }

  remove(session: Session): void {
    if (session.isRunning) throw new CcmuxError('invalid-state', `session ${session.name} is running; \`ccmux kill ${session.name}\` first`);
    this.sessions.delete(session.id);
    session.dispose('removed');
  }

  all(): Session[] {
    return [...this.sessions.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
}
