// How a session is named on the command line: exact name, exact id, or a unique id prefix.
import { CcmuxError } from './errors';

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
