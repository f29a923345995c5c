// Which ended sessions `prune` removes: those ended longer ago than a duration, or every ended one.
import type { StoredSession } from '../store/store';

export interface PruneRule {
  olderThanSeconds?: number | undefined;
  /** Every ended (exited or lost) session, whatever its age. */
  exited: boolean;
}

export function isPrunable(session: StoredSession, rule: PruneRule, now = Date.now()): boolean {
  if (session.state === 'running') return false;
  if (rule.olderThanSeconds === undefined) return rule.exited;
  const endedAt = session.exitedAt ?? session.lastOutputAt ?? session.createdAt;
  return now - endedAt >= rule.olderThanSeconds * 1000;
}
