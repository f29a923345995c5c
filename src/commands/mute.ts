// `ccmux mute` / `ccmux unmute`: stop or resume notifications about a session.
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

function muteCommand(muted: boolean): CommandSpec {
  return {
    name: muted ? 'mute' : 'unmute',
    args: '<name>',
    summary: muted ? 'stop notifications about a session' : 'resume notifications about a session',
    group: 'Watch',
    examples: [muted ? 'ccmux mute noisy-build' : 'ccmux unmute noisy-build'],
    options: [],
    async run(context) {
      const connection = await context.connect();
      await connection.request('mute', { session: context.args[0]!, muted });
      connection.close();
      return EXIT.ok;
    },
  };
}

export const muteCommandSpec = muteCommand(true);
export const unmuteCommandSpec = muteCommand(false);
