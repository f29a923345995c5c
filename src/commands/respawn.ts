// `ccmux respawn`: run an ended or lost session's command again, continuing its recording.
import { EXIT } from '../errors';
import { JSON_OPTION, printJson, type CommandSpec } from './command';

export const respawnCommand: CommandSpec = {
  name: 'respawn',
  args: '<name>',
  summary: "start an ended or lost session's command again in its directory, same timeline",
  group: 'Sessions',
  examples: ['ccmux respawn build', 'ccmux respawn claude && ccmux attach claude'],
  options: [JSON_OPTION],
  async run(context) {
    const connection = await context.connectOrStart();
    // The environment is this shell's, as for `new`: the original one is not stored (it may hold secrets).
    const session = await connection.request('respawn', { session: context.args[0]!, env: process.env as Record<string, string> });
    connection.close();
    if (context.options.json) printJson(context, session);
    else context.print(session.name);
    return EXIT.ok;
  },
};
