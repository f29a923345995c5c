// The CLI's direct view of the recordings (replay, search, export… also while no daemon runs).
import type { Paths } from '../paths';
import { findSession } from '../session-ref';
import { Store, type StoredSession } from '../store/store';

/** Opens the store read-only; fails with "no recordings yet" when there is none. */
export function openRecordings(paths: Paths): Store {
  return Store.open(paths.store, { readOnly: true });
}

/** A recorded session by name, id or unique id prefix. */
export function findRecording(store: Store, ref: string): StoredSession {
  return findSession(store.sessions(), ref);
}
