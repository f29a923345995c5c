// Help that teaches, and docs that do not drift: every command has examples, every flag the docs use
// exists under that name, and every config key has its entry in docs/CONFIG.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHelp, mainHelp } from '../../src/cli';
import { COMMANDS } from '../../src/commands/index';
import { parseConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((file) => path.join('docs', file))];

/** The shell in the docs: ```sh blocks and `inline code`. */
function shellSnippets(text: string): string[] {
  const blocks = [...text.matchAll(/```(?:sh|bash|console)\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return [...blocks, ...[...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!)];
}

/** Every `ccmux COMMAND ...` in the docs' shell, as the words up to the end of that command. */
function documentedCommands(): { file: string; words: string[] }[] {
  const found: { file: string; words: string[] }[] = [];
  for (const file of DOCS) {
    for (const snippet of shellSnippets(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      for (const match of snippet.matchAll(/(?:^|[\s(|&;])ccmux((?: +[^\s|&;#`)<>]+)+)/gm)) {
        found.push({ file, words: match[1]!.trim().split(/ +/) });
      }
    }
  }
  return found;
}

/** The unknown-key error lists the keys an object takes: the schema's own word on what exists. */
function knownKeys(nested: string[]): string[] {
  let probe: Record<string, unknown> = { zzUnknown: 1 };
  for (const key of [...nested].reverse()) probe = { [key]: probe };
  try {
    parseConfig(JSON.stringify(probe), 'config.json');
  } catch (error) {
    return /\(known: ([^)]*)\)/.exec((error as Error).message)![1]!.split(', ');
  }
  throw new Error('an unknown key was accepted');
}

describe('help', () => {
  it('groups every visible command under a task, and every command has an example', () => {
    const main = mainHelp();
    for (const command of COMMANDS.filter((each) => !each.hidden)) {
      expect(main).toMatch(new RegExp(`\\n  ${command.name} +${command.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
      expect(command.examples.length, command.name).toBeGreaterThan(0);
      expect(commandHelp(command)).toContain(`Examples:\n  ${command.examples[0]}`);
    }
  });
});

describe('docs', () => {
  it('use only commands and flags that exist, by the names --help gives them', () => {
    const problems: string[] = [];
    for (const { file, words } of documentedCommands()) {
      const [name, ...rest] = words;
      const command = COMMANDS.find((each) => each.name === name);
      if (!command) {
        if (!['COMMAND', '<command>', '--help', '--version', 'COMMAND|<command>'].includes(name!)) problems.push(`${file}: ccmux ${words.join(' ')}: no command "${name}"`);
        continue;
      }
      const flags = new Set(['--help', '-h', ...command.options.flatMap((option) => option.flags.split(/[ ,]+/).filter((word) => word.startsWith('-')))]);
      for (const word of rest) {
        if (word === '--') break;
        if (!/^--?[a-zA-Z]/.test(word)) continue;
        const flag = word.split('=')[0]!;
        if (!flags.has(flag)) problems.push(`${file}: ccmux ${words.join(' ')}: ${name} has no ${flag}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('CONFIG.md has an entry for every config key', () => {
    const config = fs.readFileSync(path.join(ROOT, 'docs', 'CONFIG.md'), 'utf8');
    const keys = [
      ...knownKeys([]),
      ...knownKeys(['recording']).map((key) => `recording.${key}`),
      ...knownKeys(['plugins', 'notify']).map((key) => `plugins.notify.${key}`),
      ...knownKeys(['web']).map((key) => `web.${key}`),
    ].filter((key) => !['recording', 'plugins'].includes(key));
    const defaults = parseConfig('', 'config.json');
    expect(Object.keys(defaults).every((key) => keys.includes(key) || key === 'recording' || key === 'plugins')).toBe(true);
    const missing = keys.filter((key) => !config.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});
