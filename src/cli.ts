// Parses the command line against the command table and renders help from it.
import { cac } from 'cac';
import { connectOrStartDaemon, connectToDaemon } from './client/daemon-launcher';
import type { CommandContext, CommandGroup, CommandSpec } from './commands/command';
import { COMMANDS } from './commands/index';
import { loadConfig, type Config } from './config';
import { CcmuxError, EXIT } from './errors';
import { resolvePaths } from './paths';
import { VERSION } from './version';

/** Help sections in the order of the job: start sessions, watch them, step in, look back, set up. */
const GROUPS: [CommandGroup, string][] = [
  ['Sessions', 'Start and manage sessions'],
  ['Watch', 'Watch them and get notified'],
  ['Step in', 'Step in and script'],
  ['Recordings', 'Look back at what happened (recordings; no daemon needed)'],
  ['Daemon', 'Set up, and the daemon'],
];

function usageLine(command: CommandSpec): string {
  return `ccmux ${command.name}${command.args ? ` ${command.args}` : ''}${command.options.length ? ' [options]' : ''}${command.name === 'new' ? ' [-- command args...]' : ''}`;
}

export function mainHelp(): string {
  const lines = [`ccmux ${VERSION} — sessions for long-running terminal programs and coding agents`, '', 'Usage: ccmux <command> [options]', ''];
  for (const [group, title] of GROUPS) {
    const commands = COMMANDS.filter((command) => command.group === group && !command.hidden);
    if (!commands.length) continue;
    lines.push(`${title}:`);
    for (const command of commands) lines.push(`  ${command.name.padEnd(12)} ${command.summary}`);
    lines.push('');
  }
  lines.push(
    'The main job, step by step (docs/GUIDE.md has the whole walk-through):',
    '  ccmux new -d -s api -- claude      start an agent in the background (and -s web, -s docs…)',
    '  ccmux ls -w                        watch them all: state, what each waits for, last output',
    '  ccmux tail -f api                  follow one agent\'s output as text',
    '  ccmux attach api                   step in; C-b d detaches, C-b C-b types C-b',
    '  ccmux replay api                   play back what happened, with its timing',
    '',
    'Run `ccmux <command> --help` for its options and examples. Config: `ccmux config --path`.',
    'Prefix key: config "prefix" or $CCMUX_PREFIX. Shell completion: `ccmux completion bash|zsh|fish`.',
  );
  return lines.join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.summary];
  const choices = (command.args ?? '')
    .split(' ')
    .map((token) => token.replace(/^[<[](\.\.\.)?|[>\]]$/g, ''))
    .filter((name) => command.values?.[name]);
  if (choices.length) lines.push('', 'Arguments:', ...choices.map((name) => `  ${name}  ${command.values![name]!.join(' | ')}`));
  if (command.options.length) {
    lines.push('', 'Options:');
    const width = Math.max(...command.options.map((option) => option.flags.length));
    for (const option of command.options) lines.push(`  ${option.flags.padEnd(width)}  ${option.description}`);
  }
  lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

function findCommand(name: string | undefined): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** Runs the CLI for `argv` (without node and script); resolves with the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? findCommand(argv[1]) : undefined;
    print(topic ? commandHelp(topic) : mainHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    print(VERSION);
    return EXIT.ok;
  }
  const command = findCommand(first);
  if (!command) throw new CcmuxError('usage', `unknown command "${first}"; run \`ccmux --help\` for the list`);
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
  if (own.includes('--help') || own.includes('-h')) {
    print(commandHelp(command));
    return EXIT.ok;
  }

  const parser = cac('ccmux');
  const registered = parser.command(`${command.name}${command.args ? ` ${command.args}` : ''}`, command.summary);
  for (const option of command.options) {
    // Values are always collected as strings (cac would turn a name like "007" into 7).
    registered.option(option.flags, option.description, option.flags.includes('<') ? { type: [String] } : undefined);
  }
  let parsed: { args: ReadonlyArray<string>; options: Record<string, unknown> };
  try {
    parsed = parser.parse(['node', 'ccmux', ...argv], { run: false });
    registered.checkUnknownOptions();
    registered.checkRequiredArgs();
    registered.checkOptionValue();
    registered.checkUnusedArgs();
  } catch (error) {
    throw new CcmuxError('usage', `${command.name}: ${(error as Error).message.replace(/`/g, '')}`);
  }
  const rest = (parsed.options['--'] as string[] | undefined) ?? [];
  if (rest.length && command.name !== 'new') throw new CcmuxError('usage', `${command.name} takes no command after --`);

  const paths = resolvePaths();
  let config: Config | undefined;
  const context: CommandContext = {
    args: parsed.args.map(String),
    rest,
    options: parsed.options,
    paths,
    config: () => (config ??= loadConfig(paths.configFile)),
    connect: () => connectToDaemon(paths),
    connectOrStart: () => connectOrStartDaemon(paths),
    print,
  };
  return command.run(context);
}
