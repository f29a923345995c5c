// Per-session Claude Code hooks: a settings file passed with `claude --settings FILE` whose hooks run
// `ccmux hook`, which reports the event to the daemon. Nothing is written to the user's ~/.claude.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Invocation } from '../self';
import type { AgentRules } from './agent-rules';

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The hook events the rules react to (`Notification:permission_prompt` → `Notification`). */
export function hookEvents(rules: AgentRules): string[] {
  return [...new Set(Object.keys(rules.hooks).map((key) => key.split(':')[0]!))];
}

/** Writes the session's settings file (0600) and returns the arguments that make claude use it. */
export function claudeHookArguments(rules: AgentRules, sessionId: string, dir: string, self: Invocation): string[] {
  const command = [self.file, ...self.args, 'hook'].map(shellQuote).join(' ');
  const hooks: Record<string, unknown> = {};
  for (const event of hookEvents(rules)) hooks[event] = [{ matcher: '', hooks: [{ type: 'command', command, timeout: 10 }] }];
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${sessionId}.json`);
  fs.writeFileSync(file, JSON.stringify({ hooks }, null, 2), { mode: 0o600 });
  return ['--settings', file];
}
