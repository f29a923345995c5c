// `ccmux status`: whether a daemon runs, and what it holds; exit status 3 when none runs.
import { EXIT } from '../errors';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { relativeTime } from './format';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'show the daemon: version, pid, uptime, paths, sessions (exit 3 when none runs)',
  group: 'Daemon',
  examples: ['ccmux status', 'ccmux status --json'],
  options: [JSON_OPTION],
  async run(context) {
    const connection = await context.connect();
    const status = await connection.request('status', {});
    connection.close();
    if (context.options.json) {
      printJson(context, status);
      return EXIT.ok;
    }
    context.print(
      [
        `ccmux ${status.version} (protocol ${status.protocol})`,
        `daemon   pid ${status.pid}, started ${relativeTime(status.startedAt)}`,
        `socket   ${status.socket}`,
        `log      ${status.log}`,
        `sessions ${status.sessions.running} running, ${status.sessions.exited} exited`,
        `clients  ${status.clients}`,
        ...(status.web ? [`web      ${status.web}`] : []),
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
