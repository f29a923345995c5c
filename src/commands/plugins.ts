// `ccmux plugins`: the loaded plugins and whether they work (errors, timeouts and hangs show here).
import { EXIT } from '../errors';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { table } from './format';

export const pluginsCommand: CommandSpec = {
  name: 'plugins',
  summary: 'list plugins (bundled and from ~/.config/ccmux/plugins) and their state',
  group: 'Daemon',
  examples: ['ccmux plugins', 'ccmux plugins --json'],
  options: [JSON_OPTION],
  async run(context) {
    const connection = await context.connect();
    const plugins = await connection.request('plugins', {});
    connection.close();
    if (context.options.json) printJson(context, plugins);
    else context.print(table(['NAME', 'STATE', 'ERRORS', 'SOURCE', 'LAST ERROR'], plugins.map((p) => [p.name, p.state, String(p.errors), p.source, p.error ?? ''])));
    return EXIT.ok;
  },
};
