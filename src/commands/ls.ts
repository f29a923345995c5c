// `ccmux ls`: the sessions, running and exited, as a table or JSON.
import { EXIT } from '../errors';
import type { SessionInfo } from '../protocol/requests';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { commandLine, describeExit, relativeTime, table } from './format';

function state(session: SessionInfo): string {
  return session.state === 'exited' ? `exited (${describeExit(session.exit)})` : session.state;
}

function size(session: SessionInfo): string {
  const owner = session.sizeClient === null ? '' : ` latest:#${session.sizeClient}`;
  return `${session.cols}x${session.rows}${owner}`;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  summary: 'list sessions',
  group: 'Sessions',
  examples: ['ccmux ls', 'ccmux ls --json | jq -r ".[].name"'],
  options: [JSON_OPTION],
  async run(context) {
    let sessions: SessionInfo[] = [];
    try {
      const connection = await context.connect();
      sessions = await connection.request('ls', {});
      connection.close();
    } catch (error) {
      // No daemon means no sessions, not an error: scripts can always run `ls`.
      if ((error as { code?: string }).code !== 'no-daemon') throw error;
    }
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
      String(session.clients.length),
      size(session),
      relativeTime(session.createdAt),
      relativeTime(session.lastOutputAt),
      String(session.pid ?? '-'),
      commandLine(session.command),
    ]);
    const width = process.stdout.isTTY ? process.stdout.columns : Infinity;
    context.print(table(['NAME', 'ID', 'STATE', 'CLIENTS', 'SIZE', 'CREATED', 'OUTPUT', 'PID', 'COMMAND'], rows, width));
    return EXIT.ok;
  },
};
