// The shape of a CLI command: its name, arguments, flags, help text, and what it does.
import type { DaemonConnection } from '../client/connection';
import type { Config } from '../config';
import type { Paths } from '../paths';

/** Help sections, by task (titles in cli.ts). */
export type CommandGroup = 'Sessions' | 'Watch' | 'Step in' | 'Recordings' | 'Daemon';

export interface OptionSpec {
  /** cac syntax: `-s, --name <name>`, `--json`, `--no-enter`, `-x <cols>`. */
  flags: string;
  description: string;
  /** Repeatable flag collected into a list. */
  repeatable?: boolean;
}

export interface CommandContext {
  /** Positional arguments, in the order of the usage string; `--` arguments are in `rest`. */
  args: string[];
  rest: string[];
  options: Record<string, unknown>;
  paths: Paths;
  config(): Config;
  /** Connects to the running daemon or fails with "no daemon is running". */
  connect(): Promise<DaemonConnection>;
  /** Connects, starting the daemon when none runs. */
  connectOrStart(): Promise<DaemonConnection>;
  print(text: string): void;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments in cac syntax, e.g. `<name> [text...]`. */
  args?: string;
  summary: string;
  group: CommandGroup;
  examples: string[];
  options: OptionSpec[];
  hidden?: boolean;
  /** Shell completion: the values a flag or argument takes, by its value name (`format` for `--format <format>`). */
  values?: Record<string, readonly string[]>;
  /** Resolves with the exit status. */
  run(context: CommandContext): Promise<number>;
}

export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'print JSON for scripts' };

export function printJson(context: CommandContext, value: unknown): void {
  context.print(JSON.stringify(value, null, 2));
}
