// `ccmux mark`: add a labelled marker to a running session's timeline (replay's `]` jumps to it).
import { EXIT } from '../errors';
import { JSON_OPTION, printJson, type CommandSpec } from './command';

export const markCommand: CommandSpec = {
  name: 'mark',
  args: '<name> [...label]',
  summary: "add a marker to a running session's recording (replay jumps to it with ])",
  group: 'Recordings',
  examples: ['ccmux mark build "tests start"', 'ccmux mark claude --json   # prints the time, ms since the session started'],
  options: [JSON_OPTION],
  async run(context) {
    const connection = await context.connect();
    const result = await connection.request('mark', { session: context.args[0]!, label: context.args.slice(1).join(' ') });
    connection.close();
    if (context.options.json) printJson(context, result);
    return EXIT.ok;
  },
};
