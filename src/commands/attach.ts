// `ccmux attach`: show a session's current screen and type into it until C-b d.
import { attach } from '../client/attach';
import { prefixByte } from '../keys';
import type { CommandSpec } from './command';

export const attachCommand: CommandSpec = {
  name: 'attach',
  args: '[name]',
  summary: 'attach this terminal to a session (default: the most recent one)',
  group: 'Step in',
  examples: ['ccmux attach', 'ccmux attach build', 'ccmux attach -r build   # watch without typing'],
  options: [
    { flags: '-r, --read-only', description: 'watch only: cannot type or resize' },
    { flags: '-d, --detach-others', description: 'detach every other client of the session' },
  ],
  async run(context) {
    const prefix = prefixByte(context.config().prefix);
    const connection = await context.connect();
    try {
      return await attach(connection, {
        session: context.args[0],
        readOnly: Boolean(context.options.readOnly),
        detachOthers: Boolean(context.options.detachOthers),
        prefix,
      });
    } finally {
      connection.close();
    }
  },
};
