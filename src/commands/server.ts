// `ccmux server`: run the daemon in the foreground (normally started for you, detached).
import type { CommandSpec } from './command';

export const serverCommand: CommandSpec = {
  name: 'server',
  summary: 'run the daemon in the foreground (started automatically when needed)',
  group: 'Daemon',
  examples: ['ccmux server   # e.g. under systemd'],
  options: [],
  hidden: true,
  async run(context) {
    const { runDaemon } = await import('../server/daemon');
    return runDaemon(context.paths);
  },
};
