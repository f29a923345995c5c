// `ccmux ls`: the sessions, running and exited, as a table or JSON.
import { EXIT } from '../errors';
import type { SessionInfo } from '../protocol/requests';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRecordings } from '../recording/recordings';
import { describeSession } from '../server/session-info';
import { JSON_OPTION, printJson, type CommandContext, type CommandSpec } from './command';
import { commandLine, describeExit, relativeTime, table } from './format';

function state(session: SessionInfo): string {
  if (session.state === 'exited') {
    const details = [describeExit(session.exit), session.recording.imported ? 'imported' : ''].filter(Boolean).join(', ');
    return details ? `exited (${details})` : 'exited';
  }
  if (session.recording.error) return `${session.state} (recording: ${session.recording.error})`;
  return session.state;
}

function agent(session: SessionInfo): string {
  const { state, waitingFor } = session.agent;
  if (session.state !== 'running') return '-';
  return waitingFor ? `${state} (${waitingFor})` : state;
}

function size(session: SessionInfo): string {
  const owner = session.sizeClient === null ? '' : ` latest:#${session.sizeClient}`;
  return `${session.cols}x${session.rows}${owner}`;
}

/** From the daemon, or — when none runs — from the recordings, where nothing can be running. */
async function listSessions(context: CommandContext): Promise<SessionInfo[]> {
  try {
    const connection = await context.connect();
    const sessions = await connection.request('ls', {});
    connection.close();
    return sessions;
  } catch (error) {
    if ((error as { code?: string }).code !== 'no-daemon') throw error;
  }
  if (!fs.existsSync(path.join(context.paths.store, 'data.mdb'))) return [];
  const store = openRecordings(context.paths);
  const sessions = store.sessions().map((meta) => describeSession({ ...meta, state: meta.state === 'running' ? 'lost' : meta.state }, undefined));
  await store.close();
  return sessions;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  summary: 'list sessions',
  group: 'Sessions',
  examples: ['ccmux ls', 'ccmux ls --json | jq -r ".[].name"'],
  options: [JSON_OPTION],
  async run(context) {
    const sessions = await listSessions(context);
    if (context.options.json) {
      printJson(context, sessions);
      return EXIT.ok;
    }
    if (!sessions.length) {
      context.print('no sessions');
      return EXIT.ok;
    }
    const rows = sessions.map((session) => [
      session.name,
      session.id,
      state(session),
      agent(session),
      String(session.clients.length),
      size(session),
      relativeTime(session.createdAt),
      relativeTime(session.lastOutputAt),
      String(session.pid ?? '-'),
      commandLine(session.command),
    ]);
    const width = process.stdout.isTTY ? process.stdout.columns : Infinity;
    context.print(table(['NAME', 'ID', 'STATE', 'AGENT', 'CLIENTS', 'SIZE', 'CREATED', 'OUTPUT', 'PID', 'COMMAND'], rows, width));
    return EXIT.ok;
  },
};
