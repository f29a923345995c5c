// Agent detection rules as data (one JSON file per agent): which program, what its hooks, in-band
// reports, title and screen mean. Bundled rules live in src/agent/rules/; users may add their own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentState } from '../plugins/plugin-api';
import { array, boolean, integer, number, object, oneOf, optional, record, string, withDefault, type Infer } from '../protocol/schema';
import claudeCode from './rules/claude-code.json';

const STATES = ['starting', 'working', 'needs-input', 'idle', 'exited', 'lost', 'unknown'] as const satisfies readonly AgentState[];

const transition = object({
  state: optional(oneOf(STATES)),
  reason: withDefault(string({ max: 200 }), ''),
  waitingFor: optional(string({ max: 40 })),
  /** Stop: only when no subagent is outstanding. */
  unlessSubagents: withDefault(boolean(), false),
  /** SubagentStart/SubagentStop: +1 / -1. */
  subagents: optional(integer(-1, 1)),
});

const pattern = object({
  pattern: string({ min: 1, max: 500 }),
  state: oneOf(STATES),
  waitingFor: optional(string({ max: 40 })),
  reason: withDefault(string({ max: 200 }), ''),
});

export const RULES_SCHEMA = object({
  name: string({ min: 1, max: 64 }),
  match: object({ command: withDefault(array(string({ min: 1 })), []), title: optional(string({ min: 1 })) }),
  /** Inject per-session Claude Code hooks with `--settings` when the command matches. */
  claudeHooks: withDefault(boolean(), false),
  hooks: withDefault(record(transition), {}),
  osc7501: withDefault(record(transition), {}),
  title: withDefault(array(pattern), []),
  screen: withDefault(array(pattern), []),
  /** Quiet output for this long after working means idle (a weak signal, used when nothing better says so). */
  idleAfterSeconds: withDefault(number(0.1, 86_400), 30),
});

export type AgentRules = Infer<typeof RULES_SCHEMA>;
export type Transition = Infer<typeof transition>;

export const BUNDLED_RULES: AgentRules[] = [RULES_SCHEMA.parse(claudeCode, 'claude-code.json')];

/** Bundled rules plus `*.json` files from `dir` (invalid files are reported, not fatal). */
export function loadRules(dir: string | undefined, warn: (message: string) => void): AgentRules[] {
  const rules = [...BUNDLED_RULES];
  if (!dir || !fs.existsSync(dir)) return rules;
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    try {
      const parsed = RULES_SCHEMA.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), file);
      const index = rules.findIndex((rule) => rule.name === parsed.name);
      if (index >= 0) rules[index] = parsed;
      else rules.push(parsed);
    } catch (error) {
      warn(`agent rules ${file} ignored: ${(error as Error).message}`);
    }
  }
  return rules;
}

/** The rules for a command, by the program's base name (`claude`, `/usr/bin/claude`…). */
export function rulesForCommand(rules: AgentRules[], command: string[]): AgentRules | undefined {
  const program = path.basename(command[0] ?? '');
  return rules.find((rule) => rule.match.command.includes(program));
}

export function rulesForTitle(rules: AgentRules[], title: string): AgentRules | undefined {
  return rules.find((rule) => rule.match.title !== undefined && title.includes(rule.match.title));
}
