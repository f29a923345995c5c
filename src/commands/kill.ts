// `ccmux kill`: end a session's program (hang up, then escalate), or send it one signal.
import { EXIT } from '../errors';
import type { CommandSpec } from './command';
import { stringOption } from './options';

export const killCommand: CommandSpec = {
  name: 'kill',
  args: '<name>',
  summary: 'end a session: SIGHUP, then SIGTERM, then SIGKILL until it is gone',
  group: 'Sessions',
  examples: ['ccmux kill build', 'ccmux kill build --signal INT   # like pressing C-c'],
  values: { signal: ['HUP', 'INT', 'TERM', 'KILL', 'QUIT', 'USR1', 'USR2', 'STOP', 'CONT'] },
  options: [{ flags: '--signal <signal>', description: 'send only this signal (e.g. INT, TERM, USR1) and return' }],
  async run(context) {
    const connection = await context.connect();
    await connection.request('kill', { session: context.args[0]!, signal: stringOption(context, 'signal') });
    connection.close();
    return EXIT.ok;
  },
};
