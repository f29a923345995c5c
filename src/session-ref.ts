// How sessions are named: exact name, exact id, or a unique id prefix on the command line; new ids and
// unique default names for the daemon and for imports written while no daemon runs.
import { randomBytes } from 'node:crypto';
import { CcmuxError } from './errors';
import { SESSION_NAME_PATTERN } from './protocol/requests';

export function findSession<T extends { id: string; name: string }>(sessions: Iterable<T>, ref: string): T {
  const all = [...sessions];
  const named = all.find((session) => session.name === ref);
  if (named) return named;
  const exact = all.find((session) => session.id === ref);
  if (exact) return exact;
  const matches = all.filter((session) => session.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new CcmuxError('ambiguous', `"${ref}" matches ${matches.length} sessions: ${matches.map((session) => session.name).join(', ')}`);
  }
  throw new CcmuxError('not-found', `no session named "${ref}"`);
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id (6 characters, no look-alike letters); stable for the session's whole life. */
export function newSessionId(taken: (id: string) => boolean): string {
  for (;;) {
    let id = '';
    for (const byte of randomBytes(6)) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    if (!taken(id)) return id;
  }
}

/** A valid session name made from any text (a program or file name), or `fallback`. */
export function nameFrom(text: string, fallback: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._@+-]/g, '').slice(0, 48);
  return SESSION_NAME_PATTERN.test(cleaned) ? cleaned : fallback;
}

/** `wanted` when given (refused if taken), otherwise `base`, `base-2`, `base-3`… whichever is free. */
export function uniqueName(wanted: string | undefined, base: string, taken: (name: string) => boolean): string {
  if (wanted !== undefined) {
    if (taken(wanted)) throw new CcmuxError('exists', `a session named ${wanted} already exists`);
    return wanted;
  }
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
}
