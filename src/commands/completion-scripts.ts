// Shell completion scripts for bash, zsh and fish, generated from the command table so that they never
// drift from the real commands and flags. Session names come from `ccmux __sessions`, which asks a
// running daemon (or reads the store) and never starts one.
import type { CommandSpec } from './command';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

type ValueKind = { kind: 'session' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'words'; words: readonly string[] } | { kind: 'text'; name: string };

interface FlagModel {
  short?: string;
  long?: string;
  value?: ValueKind;
  repeatable: boolean;
  description: string;
}

interface CommandModel {
  name: string;
  summary: string;
  flags: FlagModel[];
  positionals: ValueKind[];
  /** The last positional repeats (`[...text]`). */
  variadic: boolean;
  /** Takes a command after `--` (`new`). */
  dashDash: boolean;
}

function valueKind(command: CommandSpec, name: string, positional: boolean, flagLong?: string): ValueKind {
  const words = command.values?.[name];
  if (words) return { kind: 'words', words };
  if ((positional && name === 'name') || flagLong === 'session') return { kind: 'session' };
  if (name === 'file') return { kind: 'file' };
  if (name === 'dir') return { kind: 'dir' };
  return { kind: 'text', name };
}

function model(command: CommandSpec): CommandModel {
  const flags = command.options.map((option): FlagModel => {
    const [names = '', value] = option.flags.split(/ (?=[<[])/);
    const flag: FlagModel = { repeatable: Boolean(option.repeatable), description: option.description };
    for (const name of names.split(/,\s*/)) {
      if (name.startsWith('--')) flag.long = name.slice(2);
      else flag.short = name.slice(1);
    }
    if (value) flag.value = valueKind(command, value.slice(1, -1), false, flag.long);
    return flag;
  });
  const tokens = (command.args ?? '').split(' ').filter(Boolean);
  const positionals = tokens.map((token) => valueKind(command, token.slice(1, -1).replace(/^\.\.\./, ''), true));
  return {
    name: command.name,
    summary: command.summary,
    flags,
    positionals,
    variadic: tokens.some((token) => token.includes('...')),
    dashDash: command.name === 'new',
  };
}

export function completionScript(shell: Shell, commands: readonly CommandSpec[]): string {
  const models = commands.filter((command) => !command.hidden).map(model);
  switch (shell) {
    case 'bash':
      return bashScript(models);
    case 'zsh':
      return zshScript(models);
    case 'fish':
      return fishScript(models);
  }
}

const flagNames = (flag: FlagModel) => [flag.short && `-${flag.short}`, flag.long && `--${flag.long}`].filter((name): name is string => Boolean(name));

// bash ------------------------------------------------------------------------------------------------

function bashValue(kind: ValueKind): string {
  switch (kind.kind) {
    case 'session':
      return '_ccmux_sessions';
    case 'file':
      return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))";
    case 'dir':
      return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))";
    case 'words':
      return `COMPREPLY=($(compgen -W '${kind.words.join(' ')}' -- "$cur"))`;
    case 'text':
      return 'COMPREPLY=()';
  }
}

function bashScript(models: CommandModel[]): string {
  const valued = models.flatMap((command) =>
    command.flags.filter((flag) => flag.value).map((flag) => `    ${flagNames(flag).map((name) => `"${command.name} ${name}"`).join('|')}) ${bashValue(flag.value!)} ;;`),
  );
  const takesValue = models.flatMap((command) => {
    const names = command.flags.filter((flag) => flag.value).flatMap(flagNames);
    return names.length ? [`    ${command.name}) [[ " ${names.join(' ')} " == *" $2 "* ]] ;;`] : [];
  });
  const flags = models.map((command) => `    ${command.name}) echo '${[...command.flags.flatMap(flagNames), '--help'].join(' ')}' ;;`);
  const positionals = models.flatMap((command) =>
    command.positionals.map((kind, index) => {
      const last = index === command.positionals.length - 1 && command.variadic;
      return `    "${command.name} ${index + 1}"${last ? `|"${command.name} "*` : ''}) ${bashValue(kind)} ;;`;
    }),
  );
  return `# ccmux completion for bash. Load it now:   source <(ccmux completion bash)
# or for every shell: ccmux completion bash > ~/.local/share/bash-completion/completions/ccmux

_ccmux_sessions() {
  COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" __sessions 2>/dev/null)" -- "$cur"))
}

_ccmux_takes_value() {
  case $1 in
${takesValue.join('\n')}
    *) return 1 ;;
  esac
}

_ccmux_flags() {
  case $1 in
${flags.join('\n')}
  esac
}

_ccmux_value() {
  case "$1 $2" in
${valued.join('\n')}
    *) COMPREPLY=() ;;
  esac
}

_ccmux_positional() {
  case "$1 $2" in
${positionals.join('\n')}
    *) COMPREPLY=() ;;
  esac
}

_ccmux() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd='' word expect='' count=0 dashdash='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ -n $dashdash ]]; then ((count++)); continue; fi
    if [[ -n $expect ]]; then expect=''; continue; fi
    if [[ -z $cmd ]]; then
      [[ $word != -* ]] && cmd=$word
      continue
    fi
    if [[ $word == -- ]]; then dashdash=1; count=0; continue; fi
    if [[ $word == -* ]]; then
      [[ $word != *=* ]] && _ccmux_takes_value "$cmd" "$word" && expect=1
      continue
    fi
    ((count++))
  done
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W '${[...models.map((command) => command.name), 'help', '--help', '--version'].join(' ')}' -- "$cur"))
    return
  fi
  if [[ -n $dashdash ]]; then
    if ((count == 0)); then COMPREPLY=($(compgen -c -- "$cur")); else compopt -o default 2>/dev/null; COMPREPLY=(); fi
    return
  fi
  if [[ $cmd == help ]]; then
    COMPREPLY=($(compgen -W '${models.map((command) => command.name).join(' ')}' -- "$cur"))
    return
  fi
  if [[ -n $expect ]]; then _ccmux_value "$cmd" "$prev"; return; fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_ccmux_flags "$cmd")" -- "$cur"))
    return
  fi
  _ccmux_positional "$cmd" $((count + 1))
}

complete -F _ccmux ccmux
`;
}

// zsh -------------------------------------------------------------------------------------------------

/** Single-quoted for zsh (and fish): ' closes, escapes itself, reopens. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** Text inside an _arguments [description]: brackets would end it early. */
const zshDescription = (text: string) => text.replace(/\[/g, '(').replace(/\]/g, ')').replace(/\\/g, '\\\\');

function zshAction(kind: ValueKind): string {
  switch (kind.kind) {
    case 'session':
      return '_ccmux_sessions';
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'words':
      return `(${kind.words.join(' ')})`;
    case 'text':
      return ' ';
  }
}

function zshFlag(flag: FlagModel): string {
  const names = flagNames(flag);
  const description = `[${zshDescription(flag.description)}]`;
  const value = flag.value ? `:${flag.value.kind === 'text' ? flag.value.name : flag.value.kind}:${zshAction(flag.value)}` : '';
  const suffix = (name: string) => (flag.value ? (name.startsWith('--') ? `${name}=` : `${name}+`) : name);
  const exclusive = flag.repeatable ? '*' : names.length > 1 ? `(${names.join(' ')})` : '';
  if (names.length === 1) return quote(`${exclusive}${suffix(names[0]!)}${description}${value}`);
  return `${quote(exclusive)}{${names.map(suffix).join(',')}}${quote(`${description}${value}`)}`;
}

function zshScript(models: CommandModel[]): string {
  const describe = models.map((command) => `    ${quote(`${command.name}:${command.summary}`)}`);
  const cases = models.map((command) => {
    const specs = [...command.flags.map(zshFlag), quote('--help[show help with examples]')];
    command.positionals.forEach((kind, index) => {
      const last = index === command.positionals.length - 1 && command.variadic;
      const name = kind.kind === 'text' ? kind.name : kind.kind;
      specs.push(quote(`${last ? '*' : `${index + 1}`}:${name}:${zshAction(kind)}`));
    });
    if (command.dashDash) specs.push(quote('*::command:_normal'));
    return `    ${command.name})\n      _arguments -s ${specs.join(' \\\n        ')}\n      ;;`;
  });
  return `#compdef ccmux
# ccmux completion for zsh. Load it now:   source <(ccmux completion zsh)
# or for every shell: ccmux completion zsh > "\${fpath[1]}/_ccmux" (a directory on $fpath), then compinit

_ccmux_sessions() {
  local -a names
  names=(\${(f)"$(_call_program sessions \${words[1]:-ccmux} __sessions 2>/dev/null)"})
  compadd -a names
}

_ccmux() {
  local -a commands
  commands=(
${describe.join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'ccmux command' commands
    return
  fi
  local cmd=\${words[2]}
  local ccmux=\${words[1]}
  shift words
  (( CURRENT-- ))
  words[1]=$ccmux
  case $cmd in
    help)
      _describe -t commands 'ccmux command' commands
      ;;
${cases.join('\n')}
  esac
}

if (( $+functions[compdef] )); then
  compdef _ccmux ccmux
else
  autoload -Uz compinit && compinit && compdef _ccmux ccmux
fi
`;
}

// fish ------------------------------------------------------------------------------------------------

function fishArguments(kind: ValueKind): string {
  switch (kind.kind) {
    case 'session':
      return `-x -a ${quote('(__ccmux_sessions)')}`;
    case 'file':
      return '-r -F';
    case 'dir':
      return `-x -a ${quote('(__fish_complete_directories)')}`;
    case 'words':
      return `-x -a ${quote(kind.words.join(' '))}`;
    case 'text':
      return '-x';
  }
}

function fishScript(models: CommandModel[]): string {
  const lines = [
    '# ccmux completion for fish. Load it now:   ccmux completion fish | source',
    '# or for every shell: ccmux completion fish > ~/.config/fish/completions/ccmux.fish',
    '',
    'function __ccmux_sessions',
    '    set -l ccmux (commandline -opc)[1]',
    '    $ccmux __sessions 2>/dev/null',
    'end',
    '',
    'complete -c ccmux -f',
    `complete -c ccmux -n __fish_use_subcommand -s h -l help -d ${quote('show help')}`,
    `complete -c ccmux -n __fish_use_subcommand -s V -l version -d ${quote('print the version')}`,
  ];
  for (const command of models) lines.push(`complete -c ccmux -n __fish_use_subcommand -a ${command.name} -d ${quote(command.summary)}`);
  lines.push(`complete -c ccmux -n ${quote('__fish_seen_subcommand_from help')} -a ${quote(models.map((command) => command.name).join(' '))}`);
  for (const command of models) {
    const when = `-n ${quote(`__fish_seen_subcommand_from ${command.name}`)}`;
    for (const flag of command.flags) {
      const names = [flag.short && `-s ${flag.short}`, flag.long && `-l ${flag.long}`].filter(Boolean).join(' ');
      const value = flag.value ? ` ${fishArguments(flag.value)}` : '';
      lines.push(`complete -c ccmux ${when} ${names}${value} -d ${quote(flag.description)}`);
    }
    const first = command.positionals[0];
    if (first && first.kind !== 'text') lines.push(`complete -c ccmux ${when} ${fishArguments(first).replace(/^-[xr] /, '')}`);
  }
  return `${lines.join('\n')}\n`;
}
