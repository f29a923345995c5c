// `ccmux completion SHELL`: prints the completion script for bash, zsh or fish (commands, flags, session
// names); `ccmux __sessions` (hidden) is what the scripts call for the names.
import { CcmuxError, EXIT } from '../errors';
import type { CommandSpec } from './command';
import { SHELLS, completionScript, type Shell } from './completion-scripts';
import { COMMANDS } from './index';
import { listSessions } from './ls';

export const completionCommand: CommandSpec = {
  name: 'completion',
  args: '<shell>',
  summary: 'the Tab completion script for bash, zsh or fish (commands, flags, session names)',
  group: 'Daemon',
  values: { shell: SHELLS },
  examples: [
    'source <(ccmux completion bash)       # in ~/.bashrc',
    'source <(ccmux completion zsh)        # in ~/.zshrc, after compinit',
    'ccmux completion fish > ~/.config/fish/completions/ccmux.fish',
  ],
  options: [],
  async run(context) {
    const shell = context.args[0]!;
    if (!(SHELLS as readonly string[]).includes(shell)) throw new CcmuxError('usage', `completion: expected one of ${SHELLS.join(', ')}, got "${shell}"`);
    process.stdout.write(completionScript(shell as Shell, COMMANDS));
    return EXIT.ok;
  },
};

export const sessionNamesCommand: CommandSpec = {
  name: '__sessions',
  summary: 'session names, one a line, for completion scripts (never starts a daemon, never fails)',
  group: 'Daemon',
  examples: ['ccmux __sessions'],
  options: [],
  hidden: true,
  async run(context) {
    try {
      const sessions = await listSessions(context);
      if (sessions.length) context.print(sessions.map((session) => session.name).join('\n'));
    } catch {
      // A completion that cannot list names offers none; an error would garble the command line.
    }
    return EXIT.ok;
  },
};
