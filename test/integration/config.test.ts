// `ccmux config`: where the file is (CCMUX_CONFIG, CCMUX_HOME, XDG_CONFIG_HOME), the effective config,
// and --edit through $VISUAL/$EDITOR that only ever installs a valid file; errors name the bad key.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome } from '../helpers/ccmux';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

/** An "editor" that replaces the file it is given with `content` (or exits with `status`). */
function editor(content: string, status = 0): string {
  const source = path.join(home.dir, `edit-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(source, content);
  const script = path.join(home.dir, `editor-${path.basename(source, '.json')}.sh`);
  fs.writeFileSync(script, `#!/bin/sh\necho "$1" >> '${home.dir}/edited.log'\ncat '${source}' > "$1"\nexit ${status}\n`, { mode: 0o755 });
  return script;
}

describe('config', () => {
  it('finds the file from CCMUX_CONFIG, then CCMUX_HOME, then XDG_CONFIG_HOME', async () => {
    home = new CcmuxHome();
    expect(await home.ok(['config', '--path'])).toBe(`${home.dir}/config.json\n`);
    expect(await home.ok(['config', '--path'], { env: { CCMUX_CONFIG: '/etc/ccmux.json' } })).toBe('/etc/ccmux.json\n');
    expect(await home.ok(['config', '--path'], { env: { CCMUX_HOME: undefined, XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/ccmux/config.json\n');
  });

  it('shows the effective config with every default, and the file\'s settings over them', async () => {
    home = new CcmuxHome();
    const defaults = JSON.parse(await home.ok(['config']));
    expect(defaults).toMatchObject({ prefix: 'C-b', scrollback: 1000, recording: { input: false }, plugins: { notify: { desktop: 'auto' } } });
    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ scrollback: 5000, recording: { input: true } }));
    const shown = JSON.parse(await home.ok(['config', '--show']));
    expect(shown).toMatchObject({ scrollback: 5000, recording: { input: true, maxSessionBytes: 1024 ** 3 } });
    expect(JSON.parse(await home.ok(['config', '--show'], { env: { CCMUX_PREFIX: 'C-a' } })).prefix).toBe('C-a');
    const both = await home.run(['config', '--show', '--path']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('ccmux: config: pick one of --show, --path\n');
  });

  it('refuses a bad file naming the key, here and when a daemon would start with it', async () => {
    home = new CcmuxHome();
    fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify({ recording: { maxSessionBytes: 'big' } }));
    const shown = await home.run(['config']);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toBe(`ccmux: ${home.dir}/config.json: config.recording.maxSessionBytes: expected an integer from 1048576 to ${Number.MAX_SAFE_INTEGER}, got string\n`);
    const started = await home.run(['new', '-d', '--', 'sleep', '600']);
    expect(started.code).not.toBe(0);
    expect(started.stderr).toContain('config.recording.maxSessionBytes');
  });

  it('--edit installs the edited file only once it is valid, and keeps a rejected edit aside', async () => {
    home = new CcmuxHome();
    const file = path.join(home.dir, 'config.json');
    const created = await home.run(['config', '--edit'], { env: { VISUAL: editor('{"scrollback": 2000}\n'), EDITOR: 'false' } });
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(`ccmux: ${file} does not exist yet`);
    expect(created.stderr).toContain(`ccmux: saved ${file}.`);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"scrollback": 2000}\n');
    expect(fs.statSync(file).mode & 0o077).toBe(0);

    const rejected = await home.run(['config', '--edit'], { env: { EDITOR: editor('{"scrollback": 2000, "colour": "red"}\n') } });
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(new RegExp(`^ccmux: ${file}: config\\.colour: unknown key \\(known: prefix, `));
    const kept = rejected.stderr.match(/the edit is kept in (\S+)\n$/)![1]!;
    expect(fs.readFileSync(kept, 'utf8')).toContain('"colour"');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"scrollback": 2000}\n');

    const failed = await home.run(['config', '--edit'], { env: { EDITOR: editor('{}', 3) } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/the editor \(.*\) exited 3; .* is unchanged\n$/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"scrollback": 2000}\n');
    // Every edit was of a private copy next to the file, never of the file itself.
    for (const edited of fs.readFileSync(path.join(home.dir, 'edited.log'), 'utf8').trim().split('\n')) {
      expect(path.dirname(edited)).toBe(home.dir);
      expect(edited).not.toBe(file);
    }
  });
});
