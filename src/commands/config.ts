// `ccmux config`: where the config file is, the effective config (defaults filled in), and a safe edit:
// $VISUAL/$EDITOR on a private copy that replaces the file only once it is valid.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../config';
import { CcmuxError, EXIT, describeError } from '../errors';
import type { CommandContext, CommandSpec } from './command';

/** A new file starts empty: every option has a default (`ccmux config --show`, docs/CONFIG.md). */
const NEW_FILE = '{\n}\n';

function editorCommand(): string {
  return process.env.VISUAL || process.env.EDITOR || 'vi';
}

/** Asks on the terminal; anything but n/no is yes. */
function askAgain(question: string): boolean {
  process.stderr.write(`${question} [Y/n] `);
  const buffer = Buffer.alloc(64);
  let answer = '';
  try {
    answer = buffer.toString('utf8', 0, fs.readSync(0, buffer, 0, buffer.length, null)).trim().toLowerCase();
  } catch {
    return false;
  }
  return answer !== 'n' && answer !== 'no';
}

async function edit(context: CommandContext): Promise<number> {
  const file = context.paths.configFile;
  let original: string | undefined;
  try {
    original = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CcmuxError('io', `cannot read ${file}: ${describeError(error)}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // The copy sits next to the file, so that the rename that installs it is atomic.
  const copy = path.join(path.dirname(file), `.${path.basename(file, '.json')}.${randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(copy, original ?? NEW_FILE, { mode: 0o600, flag: 'wx' });
  if (original === undefined) process.stderr.write(`ccmux: ${file} does not exist yet; every option and its default: docs/CONFIG.md, \`ccmux config --show\`\n`);
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  for (;;) {
    // Through the shell: EDITOR may carry arguments (`code --wait`).
    const editor = editorCommand();
    const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', copy], { stdio: 'inherit' });
    if (result.error || result.status !== 0) {
      fs.rmSync(copy, { force: true });
      const why = result.error ? describeError(result.error) : result.signal ? `was killed by ${result.signal}` : `exited ${result.status}`;
      throw new CcmuxError('io', `config: the editor (${editor}) ${why}; ${file} is unchanged`);
    }
    const text = fs.readFileSync(copy, 'utf8');
    if (text === (original ?? NEW_FILE)) {
      fs.rmSync(copy, { force: true });
      process.stderr.write(`ccmux: no changes; ${file} is unchanged\n`);
      return EXIT.ok;
    }
    try {
      parseConfig(text, file);
    } catch (error) {
      if (!(error instanceof CcmuxError)) throw error;
      process.stderr.write(`ccmux: ${error.message}\n`);
      if (interactive && askAgain('Edit again?')) continue;
      if (!interactive) throw new CcmuxError('usage', `config: ${file} is unchanged; the edit is kept in ${copy}`);
      fs.rmSync(copy, { force: true });
      throw new CcmuxError('usage', `config: ${file} is unchanged`);
    }
    fs.renameSync(copy, file);
    process.stderr.write(
      `ccmux: saved ${file}. prefix and defaultCommand apply from the next command; a running daemon reads the rest when it starts again.\n`,
    );
    return EXIT.ok;
  }
}

export const configCommand: CommandSpec = {
  name: 'config',
  summary: 'show the effective config (defaults filled in), where the file is, or edit it safely',
  group: 'Daemon',
  examples: [
    'ccmux config                         # the effective config, as JSON',
    'ccmux config --path',
    'ccmux config --edit                  # $VISUAL or $EDITOR; saved only when valid',
    'ccmux config --show | jq .recording',
  ],
  options: [
    { flags: '--show', description: 'print the effective config with every default filled in (the default)' },
    { flags: '--path', description: 'print the config file path ($CCMUX_CONFIG, $CCMUX_HOME/config.json or $XDG_CONFIG_HOME/ccmux/config.json)' },
    { flags: '--edit', description: 'open the file in $VISUAL or $EDITOR; it is replaced only once it is valid' },
  ],
  async run(context) {
    const chosen = (['show', 'path', 'edit'] as const).filter((flag) => context.options[flag]);
    if (chosen.length > 1) throw new CcmuxError('usage', `config: pick one of --${chosen.join(', --')}`);
    if (context.options.path) {
      context.print(context.paths.configFile);
      return EXIT.ok;
    }
    if (context.options.edit) return edit(context);
    context.print(JSON.stringify(context.config(), null, 2));
    return EXIT.ok;
  },
};
