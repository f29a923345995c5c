// `ccmux rm`: forget an exited session.
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

export const rmCommand: CommandSpec = {
  name: 'rm',
  args: '<name>',
  summary: 'forget an exited session',
  group: 'Sessions',
  examples: ['ccmux rm build'],
  options: [],
  async run(context) {
    const connection = await context.connect();
    await connection.request('rm', { session: context.args[0]! });
    connection.close();
    return EXIT.ok;
  },
};
