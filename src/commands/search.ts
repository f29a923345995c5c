// `ccmux search`: find text in every session's recorded output, with the replay command for each hit.
import { CcmuxError, EXIT } from '../errors';
import { findRecording, openRecordings } from '../recording/recordings';
import { compileSearch, searchSession, type SearchHit } from '../recording/search';
import { formatClock, parseDuration } from '../util/duration';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { integerOption, stringOption } from './options';
import { progressReporter } from './progress';

function replayCommand(hit: SearchHit): string {
  return `ccmux replay ${hit.session} --from ${Math.max(0, Math.floor(hit.time))}`;
}

export const searchCommand: CommandSpec = {
  name: 'search',
  args: '<pattern>',
  summary: "search every session's recorded output (rendered lines; redraws count once)",
  group: 'Recordings',
  examples: ['ccmux search "error: "', 'ccmux search -s build --regex "FAIL(ED)?" -i', 'ccmux search panic --since 2h --json'],
  options: [
    { flags: '-s, --session <name>', description: 'search only this session' },
    { flags: '--regex', description: 'PATTERN is a regular expression (JavaScript syntax)' },
    { flags: '-i, --ignore-case', description: 'ignore case' },
    { flags: '--since <duration>', description: 'only lines from the last DURATION (e.g. 30m, 2h, 7d)' },
    { flags: '--all', description: 'every occurrence, not one hit per distinct line' },
    { flags: '-C, --context <lines>', description: 'lines of context around each hit (default 1)' },
    JSON_OPTION,
  ],
  async run(context) {
    const since = stringOption(context, 'since');
    let regex: RegExp;
    const options = {
      pattern: context.args[0]!,
      regex: Boolean(context.options.regex),
      ignoreCase: Boolean(context.options.ignoreCase),
      since: since === undefined ? undefined : Date.now() - parseDuration(since, '--since') * 1000,
      all: Boolean(context.options.all),
      context: integerOption(context, 'context', 0, 100) ?? 1,
    };
    try {
      regex = compileSearch(options);
    } catch (error) {
      throw new CcmuxError('usage', `bad pattern: ${(error as Error).message}`);
    }
    const store = openRecordings(context.paths);
    const only = stringOption(context, 'session');
    const sessions = only ? [findRecording(store, only)] : store.sessions();
    const progress = progressReporter('searching', sessions.reduce((sum, session) => sum + session.storedBytes, 0));
    let done = 0;
    const hits: SearchHit[] = [];
    for (const session of sessions) {
      let sessionDone = 0;
      hits.push(
        ...(await searchSession(store, session, { ...options, progress: (bytes) => progress.update(done + (sessionDone = bytes)) }, regex)),
      );
      done += sessionDone;
    }
    progress.done();
    await store.close();
    if (context.options.json) {
      printJson(context, hits.map((hit) => ({ ...hit, replay: replayCommand(hit) })));
      return hits.length ? EXIT.ok : EXIT.failure;
    }
    for (const hit of hits) {
      const count = hit.count > 1 ? `  (×${hit.count})` : '';
      context.print(`${hit.session} +${formatClock(hit.time)}${count}  ${replayCommand(hit)}`);
      for (const line of hit.before) context.print(`    ${line}`);
      context.print(`  > ${hit.line}`);
      for (const line of hit.after) context.print(`    ${line}`);
    }
    // Like grep: status 1 when nothing matched.
    return hits.length ? EXIT.ok : EXIT.failure;
  },
};
