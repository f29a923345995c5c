// `ccmux notify`: show a notification on every attached terminal (as each terminal understands it).
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

export const notifyCommand: CommandSpec = {
  name: 'notify',
  args: '<title> [...body]',
  summary: 'show a notification on every attached terminal',
  group: 'Watch',
  examples: ['ccmux notify "deploy done" "production is on v42"'],
  options: [],
  async run(context) {
    const connection = await context.connect();
    const result = await connection.request('notify', { title: context.args[0]!, body: context.args.slice(1).join(' ') });
    connection.close();
    context.print(`shown on ${result.clients} terminal${result.clients === 1 ? '' : 's'}`);
    return EXIT.ok;
  },
};
