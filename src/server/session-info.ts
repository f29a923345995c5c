// What `ls` shows of a session, built from its stored metadata plus, for a live session, its clients.
import type { AgentInfo, ClientInfo, MirrorInfo, SessionInfo } from '../protocol/requests';
import type { StoredSession } from '../store/store';

export interface LiveDetails {
  agent: AgentInfo;
  pid: number | null;
  mirror: MirrorInfo;
  sizeClient: number | null;
  clients: ClientInfo[];
}

export function describeSession(meta: StoredSession, recordingError: string | undefined, live?: LiveDetails): SessionInfo {
  return {
    id: meta.id,
    name: meta.name,
    command: meta.command,
    cwd: meta.cwd,
    pid: live?.pid ?? null,
    mirror: live?.mirror ?? null,
    createdAt: meta.createdAt,
    state: meta.state,
    exit: meta.exit,
    exitedAt: meta.exitedAt,
    cols: meta.cols,
    rows: meta.rows,
    sizePolicy: 'latest',
    sizeClient: live?.sizeClient ?? null,
    clients: live?.clients ?? [],
    lastOutputAt: meta.lastOutputAt,
    title: meta.title,
    recording: {
      outputBytes: meta.outputBytes,
      storedBytes: meta.storedBytes,
      trimmedBytes: meta.trimmedBytes,
      error: meta.state === 'running' ? (recordingError ?? null) : null,
      imported: Boolean(meta.imported),
    },
    muted: Boolean(meta.muted),
    agent: live?.agent ?? {
      state: meta.state === 'lost' ? 'lost' : 'exited',
      since: meta.exitedAt ?? meta.lastOutputAt ?? meta.createdAt,
      reason: meta.state === 'lost' ? 'the daemon stopped' : 'ended',
      source: 'process',
      waitingFor: null,
      agent: null,
    },
  };
}
