// `ccmux new`: start a session running a program (default $SHELL), attached or detached.
import { attach } from '../client/attach';
import { terminalSize } from '../client/terminal-size';
import { CcmuxError, EXIT } from '../errors';
import { prefixByte } from '../keys';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { integerOption, listOption, stringOption } from './options';

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CcmuxError('usage', `-e expects KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function restartPolicy(value: string | undefined): 'no' | 'on-failure' | 'always' {
  if (value === undefined || value === 'no' || value === 'on-failure' || value === 'always') return value ?? 'no';
  throw new CcmuxError('usage', `--restart expects on-failure or always, got "${value}"`);
}

export const newCommand: CommandSpec = {
  name: 'new',
  summary: 'start a session; attach to it unless -d',
  group: 'Sessions',
  examples: [
    'ccmux new',
    'ccmux new -d -s build -- make -j8',
    'ccmux new -d -c ~/src/app -e DEBUG=1 -- claude',
    'ccmux new -d -s api --restart on-failure -- npm run dev',
  ],
  values: { policy: ['no', 'on-failure', 'always'] },
  options: [
    { flags: '-d, --detached', description: 'start in the background and print the session name' },
    { flags: '-s, --name <name>', description: 'session name (default: the program name, made unique)' },
    { flags: '-c, --cwd <dir>', description: 'working directory (default: the current one)' },
    { flags: '-x <cols>', description: 'width in columns (default: this terminal, or 80)' },
    { flags: '-y <rows>', description: 'height in rows (default: this terminal, or 24)' },
    { flags: '-e, --env <KEY=VALUE>', description: 'set an environment variable (repeatable)', repeatable: true },
    { flags: '--restart <policy>', description: 'restart the program when it dies: on-failure (non-zero exit or signal) or always' },
    { flags: '--max-restarts <n>', description: 'give up after this many restarts (default 5)' },
    JSON_OPTION,
  ],
  async run(context) {
    const detached = Boolean(context.options.detached);
    const config = context.config();
    const interactive = !detached && process.stdout.isTTY;
    const size = interactive ? terminalSize() : { cols: 80, rows: 24 };
    const command = context.rest.length ? context.rest : (config.defaultCommand ?? [process.env.SHELL || '/bin/sh']);
    const connection = await context.connectOrStart();
    try {
      const session = await connection.request('new', {
        name: stringOption(context, 'name'),
        command,
        cwd: stringOption(context, 'cwd') ?? process.cwd(),
        cols: integerOption(context, 'x') ?? size.cols,
        rows: integerOption(context, 'y') ?? size.rows,
        env: { ...(process.env as Record<string, string>), ...parseEnv(listOption(context, 'env')) },
        restart: restartPolicy(stringOption(context, 'restart')),
        maxRestarts: integerOption(context, 'maxRestarts', 0, 1_000_000),
      });
      if (detached) {
        if (context.options.json) printJson(context, session);
        else context.print(session.name);
        return EXIT.ok;
      }
      return await attach(connection, { session: session.id, readOnly: false, detachOthers: false, prefix: prefixByte(config.prefix) });
    } finally {
      connection.close();
    }
  },
};
