// Shell completion: the scripts load in bash, zsh and fish, complete commands, flags and their values,
// and list live session names through `ccmux __sessions` — which never starts a daemon.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';

let home: CcmuxHome;
let env: Record<string, string>;

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

beforeEach(() => {
  home = new CcmuxHome();
  // `ccmux` on PATH, as an installed binary would be: the scripts call it by the name typed.
  const bin = path.join(home.dir, 'bin');
  fs.mkdirSync(bin);
  const { file, args } = ccmuxCommand();
  fs.writeFileSync(path.join(bin, 'ccmux'), `#!/bin/sh\nexec ${[file, ...args].map((word) => `'${word}'`).join(' ')} "$@"\n`, { mode: 0o755 });
  env = { ...home.env, PATH: `${bin}:${process.env.PATH}` };
});

afterEach(async () => {
  await home.cleanup();
});

function shell(program: string, args: string[]): string {
  const result = spawnSync(program, args, { env, cwd: home.dir, encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** What bash's completion function offers for a command line (the word under the cursor last). */
function bashComplete(...words: string[]): string[] {
  const script = `source <(ccmux completion bash)
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_ccmux; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return shell('bash', ['-c', script]).split('\n').filter(Boolean);
}

describe('completion', () => {
  it('bash: loads, and completes commands, flags, flag values and live session names', async () => {
    expect(shell('bash', ['-c', 'source <(ccmux completion bash); complete -p ccmux'])).toBe('complete -F _ccmux ccmux\n');
    expect(bashComplete('ccmux', 'ta')).toEqual(['tail']);
    expect(bashComplete('ccmux', 'co')).toEqual(['config', 'completion']);
    expect(bashComplete('ccmux', 'tail', '--')).toEqual(['--lines', '--follow', '--raw', '--help']);
    expect(bashComplete('ccmux', 'export', 'x', '--format', '')).toEqual(['cast', 'cast-v2', 'jsonl', 'txt', 'raw']);
    expect(bashComplete('ccmux', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('ccmux', 'help', 'sta')).toEqual(['status']);
    // No daemon: no names, and none started by asking.
    expect(bashComplete('ccmux', 'attach', '')).toEqual([]);
    expect(fs.existsSync(home.socket)).toBe(false);

    await home.newSession(['sleep', '600'], ['-s', 'alpha']);
    await home.newSession(['sleep', '600'], ['-s', 'beta']);
    expect(bashComplete('ccmux', 'attach', '')).toEqual(['alpha', 'beta']);
    expect(bashComplete('ccmux', 'tail', '-f', 'b')).toEqual(['beta']);
    expect(bashComplete('ccmux', 'tail', '-n', '5', '')).toEqual(['alpha', 'beta']);
    expect(bashComplete('ccmux', 'search', 'x', '--session', 'a')).toEqual(['alpha']);
    // The second argument of rename is a new name: nothing to offer.
    expect(bashComplete('ccmux', 'rename', 'alpha', '')).toEqual([]);
    expect(bashComplete('ccmux', 'new', '-d', '--', 'bas')).toContain('bash');
  });

  it('the names come from the recordings when no daemon runs', async () => {
    await home.newSession(['true'], ['-s', 'finished']);
    await home.run(['wait', 'finished', '--until', 'exit']);
    await home.ok(['kill-server']);
    expect(shell('ccmux', ['__sessions'])).toBe('finished\n');
    expect(fs.existsSync(home.socket)).toBe(false);
  });

  it.skipIf(!has('zsh'))('zsh: loads and registers _ccmux', () => {
    const script = 'autoload -Uz compinit && compinit -u -D; source <(ccmux completion zsh); print -r -- $_comps[ccmux]; whence -w _ccmux _ccmux_sessions';
    expect(shell('zsh', ['-fc', script])).toBe('_ccmux\n_ccmux: function\n_ccmux_sessions: function\n');
    // And without compinit loaded first, it loads it itself.
    expect(shell('zsh', ['-fc', 'source <(ccmux completion zsh); print -r -- $_comps[ccmux]'])).toBe('_ccmux\n');
  });

  it.skipIf(!has('fish'))('fish: loads, and completes commands, flag values and live session names', async () => {
    await home.newSession(['sleep', '600'], ['-s', 'gamma']);
    const complete = (line: string) =>
      shell('fish', ['--no-config', '-c', `ccmux completion fish | source; complete -C '${line}'`])
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0]);
    expect(complete('ccmux tai')).toEqual(['tail']);
    expect(complete('ccmux attach ')).toEqual(['gamma']);
    expect(complete('ccmux export gamma --format ').sort()).toEqual(['cast', 'cast-v2', 'jsonl', 'raw', 'txt']);
    expect(complete('ccmux ls --')).toEqual(expect.arrayContaining(['--watch', '--interval', '--json']));
  });
});
