// `ccmux prune`: delete the recordings of ended sessions, by age or all of them.
import { CcmuxError, EXIT } from '../errors';
import { isPrunable } from '../recording/prune';
import { Store } from '../store/store';
import { parseDuration } from '../util/duration';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { stringOption } from './options';
import { withDaemonOrStore } from './offline';

export const pruneCommand: CommandSpec = {
  name: 'prune',
  summary: 'delete ended sessions and their recordings (by age, or all ended ones)',
  group: 'Recordings',
  examples: ['ccmux prune --older-than 7d', 'ccmux prune --exited --dry-run'],
  options: [
    { flags: '--older-than <duration>', description: 'sessions that ended longer ago than this (e.g. 12h, 7d)' },
    { flags: '--exited', description: 'every ended (exited or lost) session' },
    { flags: '--dry-run', description: 'list what would be deleted, delete nothing' },
    JSON_OPTION,
  ],
  async run(context) {
    const olderThan = stringOption(context, 'olderThan');
    const rule = {
      olderThanSeconds: olderThan === undefined ? undefined : parseDuration(olderThan, '--older-than'),
      exited: Boolean(context.options.exited),
      dryRun: Boolean(context.options.dryRun),
    };
    if (rule.olderThanSeconds === undefined && !rule.exited) throw new CcmuxError('usage', 'prune needs --older-than DURATION or --exited');
    const removed = await withDaemonOrStore(
      context,
      async (connection) => (await connection.request('prune', rule)).removed,
      async (store: Store) => {
        const chosen = store.sessions().filter((session) => isPrunable(session, rule));
        if (!rule.dryRun) for (const session of chosen) await store.deleteSession(session.id);
        return chosen.map(({ id, name }) => ({ id, name }));
      },
    );
    if (context.options.json) printJson(context, removed);
    else for (const session of removed) context.print(`${rule.dryRun ? 'would delete' : 'deleted'} ${session.name} (${session.id})`);
    return EXIT.ok;
  },
};
