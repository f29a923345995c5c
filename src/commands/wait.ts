// `ccmux wait`: block until a session exits, goes quiet, or shows a pattern.
import { CcmuxError, EXIT } from '../errors';
import type { RequestInput } from '../protocol/requests';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { numberOption, stringOption } from './options';

/** `exit`, `idle`, `idle=SECONDS`, `needs-input`, `working` or `match=REGEX`. */
function parseUntil(until: string): Pick<RequestInput<'wait'>, 'until' | 'idleSeconds' | 'pattern'> {
  const at = until.indexOf('=');
  const kind = at === -1 ? until : until.slice(0, at);
  const value = at === -1 ? undefined : until.slice(at + 1);
  if ((kind === 'exit' || kind === 'needs-input' || kind === 'working') && value === undefined) return { until: kind };
  if (kind === 'idle') {
    if (value === undefined) return { until: 'idle' };
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds > 0) return { until: 'quiet', idleSeconds: seconds };
  }
  if (kind === 'match' && value) return { until: 'match', pattern: value };
  throw new CcmuxError('usage', `--until expects exit, idle[=SECONDS], needs-input, working or match=REGEX, got "${until}"`);
}

export const waitCommand: CommandSpec = {
  name: 'wait',
  args: '<name>',
  summary: 'wait until a session exits, is idle, or its screen matches (exit 0 met, 124 timeout, 4 gone)',
  group: 'Watch',
  examples: [
    'ccmux wait build --until exit && notify-send done',
    'ccmux wait server --until match="listening on" --timeout 30',
    'ccmux send claude "fix the tests" && ccmux wait claude --until idle',
    'ccmux wait claude --until needs-input --timeout 600 && notify-send "claude needs you"',
    'ccmux wait logs --until idle=10   # 10 s without output',
  ],
  values: { condition: ['exit', 'idle', 'idle=', 'needs-input', 'working', 'match='] },
  options: [
    {
      flags: '--until <condition>',
      description: 'exit | idle (the agent is done; other programs: 2 s without output) | idle=SECONDS (no output that long) | needs-input | working | match=REGEX (on the screen)',
    },
    { flags: '--timeout <seconds>', description: 'give up after this long (exit status 124)' },
    { flags: '-i, --ignore-case', description: 'match case-insensitively' },
    JSON_OPTION,
  ],
  async run(context) {
    const condition = parseUntil(stringOption(context, 'until') ?? 'exit');
    const connection = await context.connect();
    const result = await connection.request('wait', {
      session: context.args[0]!,
      ...condition,
      flags: context.options.ignoreCase ? 'i' : '',
      timeoutSeconds: numberOption(context, 'timeout'),
    });
    connection.close();
    if (context.options.json) printJson(context, result);
    if (result.outcome === 'timeout') return EXIT.timeout;
    if (result.outcome === 'gone') return EXIT.gone;
    return EXIT.ok;
  },
};
