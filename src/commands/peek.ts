// `ccmux peek`: print a session's current screen, like `tmux capture-pane -p`.
import { EXIT } from '../errors';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { integerOption } from './options';

export const peekCommand: CommandSpec = {
  name: 'peek',
  args: '<name>',
  summary: "print a session's current screen as text",
  group: 'Watch',
  examples: ['ccmux peek build', 'ccmux peek build --ansi --scrollback 200'],
  options: [
    { flags: '--ansi', description: 'keep colours and attributes as escape sequences' },
    { flags: '--scrollback <lines>', description: 'include this many lines above the screen' },
    JSON_OPTION,
  ],
  async run(context) {
    const connection = await context.connect();
    const screen = await connection.request('peek', {
      session: context.args[0]!,
      ansi: Boolean(context.options.ansi),
      scrollback: integerOption(context, 'scrollback', 0, 1_000_000) ?? 0,
    });
    connection.close();
    if (context.options.json) printJson(context, screen);
    else context.print(screen.text);
    return EXIT.ok;
  },
};
