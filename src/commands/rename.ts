// `ccmux rename`: give a session a new name (its id never changes).
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

export const renameCommand: CommandSpec = {
  name: 'rename',
  args: '<name> <new-name>',
  summary: 'rename a session',
  group: 'Sessions',
  examples: ['ccmux rename claude-2 reviewer'],
  options: [],
  async run(context) {
    const connection = await context.connect();
    await connection.request('rename', { session: context.args[0]!, newName: context.args[1]! });
    connection.close();
    return EXIT.ok;
  },
};
