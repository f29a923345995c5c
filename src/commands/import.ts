// `ccmux import`: bring an asciicast v2/v3 recording in as an ended session — through the daemon when
// one runs (so `ls` shows it at once), straight into the store when none does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError, EXIT } from '../errors';
import { SESSION_NAME_PATTERN } from '../protocol/requests';
import { importCast } from '../recording/import-cast';
import { newSessionId, uniqueName } from '../session-ref';
import type { CommandSpec } from './command';
import { withDaemonOrStore } from './offline';
import { stringOption } from './options';

export const importCommand: CommandSpec = {
  name: 'import',
  args: '<file>',
  summary: 'bring in an asciicast (v2 or v3) recording as an ended session',
  group: 'Recordings',
  examples: ['ccmux import demo.cast                 # a session named demo', 'ccmux import ~/casts/bug.cast -s bug-repro'],
  options: [{ flags: '-s, --name <name>', description: 'session name (default: the file name)' }],
  async run(context) {
    const file = path.resolve(context.args[0]!);
    const name = stringOption(context, 'name');
    if (name !== undefined && !SESSION_NAME_PATTERN.test(name)) {
      throw new CcmuxError('usage', `-s expects a name of letters, digits and . _ @ + - (up to 64), got "${name}"`);
    }
    try {
      if (!fs.statSync(file).isFile()) throw new Error('not a regular file');
    } catch (error) {
      throw new CcmuxError('not-found', `cannot import ${context.args[0]}: ${(error as Error).message}`);
    }
    const imported = await withDaemonOrStore<{ name: string }>(
      context,
      (connection) => connection.request('import', { file, name, cwd: process.cwd() }),
      async (store) => {
        const sessions = store.sessions();
        const identity = (base: string) => ({
          id: newSessionId((id) => sessions.some((session) => session.id === id)),
          name: uniqueName(name, base, (taken) => sessions.some((session) => session.name === taken)),
        });
        return importCast(store, { file, cwd: process.cwd(), identity });
      },
    );
    context.print(imported.name);
    return EXIT.ok;
  },
};
