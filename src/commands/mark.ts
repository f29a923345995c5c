// `ccmux mark`: add a marker to a session's timeline (replay can jump to it).
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

export const markCommand: CommandSpec = {
  name: 'mark',
  args: '<name> [...label]',
  summary: "add a marker to a session's recording",
  group: 'Recordings',
  examples: ['ccmux mark build "tests start"', 'ccmux mark claude'],
  options: [],
  async run(context) {
    const connection = await context.connect();
    await connection.request('mark', { session: context.args[0]!, label: context.args.slice(1).join(' ') });
    connection.close();
    return EXIT.ok;
  },
};
