// The real Claude Code CLI (pinned, installed by `make deps-claude-code`), set up to run offline against
// MockAnthropic: a private HOME with the first-run state seeded, and the environment that keeps it local.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './ccmux';

/** The native `claude` binary: $CLAUDE_CODE_BIN, or the platform package under .toolchain/claude-code. */
export function claudeCodeBinary(): string {
  if (process.env.CLAUDE_CODE_BIN) return process.env.CLAUDE_CODE_BIN;
  const scope = path.join(ROOT, '.toolchain', 'claude-code', 'node_modules', '@anthropic-ai');
  const platform = fs.existsSync(scope) ? fs.readdirSync(scope).find((name) => name.startsWith('claude-code-') && fs.existsSync(path.join(scope, name, 'claude'))) : undefined;
  if (!platform) throw new Error('the real Claude Code CLI is missing: run `make deps-claude-code` (`make test` does)');
  return path.join(scope, platform, 'claude');
}

export interface ClaudeSandbox {
  /** The private HOME (with .claude.json). */
  home: string;
  /** The project directory the session runs in (trusted in .claude.json). */
  project: string;
  /** A directory with `claude` in it, for PATH (ccmux applies its Claude Code rules by that name). */
  bin: string;
  apiKey: string;
}

/** Creates a HOME and a project under `dir` in which Claude Code starts straight to its prompt. */
export function claudeSandbox(dir: string): ClaudeSandbox {
  const sandbox = { home: path.join(dir, 'home'), project: path.join(dir, 'project'), bin: path.join(dir, 'claude-bin'), apiKey: 'sk-ant-api03-ccmux-test-0123456789abcdef' };
  for (const made of [sandbox.home, sandbox.project, sandbox.bin]) fs.mkdirSync(made, { recursive: true });
  fs.symlinkSync(claudeCodeBinary(), path.join(sandbox.bin, 'claude'));
  // Without these, the first run shows onboarding (which checks connectivity to Anthropic), asks to
  // approve the API key and to trust the folder, and announces the auto mode.
  const state = {
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: [sandbox.apiKey.slice(-20)], rejected: [] },
    projects: { [fs.realpathSync(sandbox.project)]: { hasTrustDialogAccepted: true } },
    hasSeenAutoDefaultNotice: true,
    hasSeenAutoDefaultNudge: true,
    theme: 'dark',
  };
  fs.writeFileSync(path.join(sandbox.home, '.claude.json'), JSON.stringify(state, null, 2));
  return sandbox;
}

/** What Claude Code needs to talk only to the mock: `-e KEY=VALUE` pairs for `ccmux new`. */
export function claudeEnv(sandbox: ClaudeSandbox, apiUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: sandbox.apiKey,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
  };
}
