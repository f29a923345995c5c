// `ccmux rm`: forget an ended session and delete its recording.
import { EXIT } from '../errors';
import { findSession } from '../session-ref';
import type { CommandSpec } from './command';
import { withDaemonOrStore } from './offline';

export const rmCommand: CommandSpec = {
  name: 'rm',
  args: '<name>',
  summary: 'forget an ended session and delete its recording',
  group: 'Sessions',
  examples: ['ccmux rm build'],
  options: [],
  async run(context) {
    const ref = context.args[0]!;
    await withDaemonOrStore(
      context,
      async (connection) => {
        await connection.request('rm', { session: ref });
      },
      // With no daemon, nothing is running: a session stored as running was cut off by a crash.
      async (store) => {
        await store.deleteSession(findSession(store.sessions(), ref).id);
      },
    );
    return EXIT.ok;
  },
};
