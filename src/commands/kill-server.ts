// `ccmux kill-server`: end every session and stop the daemon.
import { EXIT } from '../errors';
import { isAlive } from '../util/process-alive';
import type { CommandSpec } from './command';

export const killServerCommand: CommandSpec = {
  name: 'kill-server',
  summary: 'end every session and stop the daemon',
  group: 'Daemon',
  examples: ['ccmux kill-server'],
  options: [],
  async run(context) {
    const connection = await context.connect();
    const pid = connection.daemonPid;
    await connection.request('kill-server', {});
    // Return once the daemon is really gone, so that a following command starts a fresh one.
    await new Promise<void>((resolve) => connection.setStreamHandlers({ close: resolve }));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
    return EXIT.ok;
  },
};

