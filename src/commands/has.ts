// `ccmux has`: exit status 0 when the session exists, 1 when not — for scripts.
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

export const hasCommand: CommandSpec = {
  name: 'has',
  args: '<name>',
  summary: 'exit 0 if the session exists (running or exited), 1 if not',
  group: 'Step in',
  examples: ['ccmux has build || ccmux new -d -s build -- make'],
  options: [],
  async run(context) {
    let connection;
    try {
      connection = await context.connect();
      await connection.request('has', { session: context.args[0]! });
      return EXIT.ok;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'not-found' || code === 'no-daemon') return EXIT.failure;
      throw error;
    } finally {
      connection?.close();
    }
  },
};
