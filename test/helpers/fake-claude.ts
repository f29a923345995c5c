// Puts the fake Claude Code (test/fixtures/fake-claude.cjs) on a PATH as `claude`, so that ccmux
// applies its Claude Code rules and hooks to it exactly as to the real one.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function fakeClaudePath(dir: string): string {
  const bin = path.join(dir, 'fake-bin');
  fs.mkdirSync(bin, { recursive: true });
  const fixture = path.join(__dirname, '..', 'fixtures', 'fake-claude.cjs');
  fs.writeFileSync(path.join(bin, 'claude'), `#!/bin/sh\nexec '${process.execPath}' '${fixture}' "$@"\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH}`;
}
