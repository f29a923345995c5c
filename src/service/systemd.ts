// The systemd user unit that runs the daemon (`ccmux service install`): where it lives, what it says, and
// whether a client that finds no daemon should start it through systemd rather than by itself.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Paths } from '../paths';
import type { Invocation } from '../self';

export const UNIT_NAME = 'ccmux.service';
/** What `ccmux server` exits with when another daemon already answers on its socket: not a failure to retry. */
export const ALREADY_RUNNING_STATUS = 75;
/** The variables that decide where the daemon's socket, store and config are (src/paths.ts). */
const PATH_VARIABLES = ['CCMUX_HOME', 'CCMUX_CONFIG', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'XDG_CONFIG_HOME'] as const;
/** The unit records the socket its daemon listens on, so that a client can tell it is theirs. */
const SOCKET_MARK = '# ccmux socket: ';

type Env = Record<string, string | undefined>;

export function unitPath(env: Env = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(configHome, 'systemd', 'user', UNIT_NAME);
}

/** A word for an Exec line: quoted, with systemd's specifiers (%) and variables ($) escaped. */
function execWord(word: string): string {
  return `"${word.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** An Environment= assignment, quoted, with specifiers escaped. */
function environment(name: string, value: string): string {
  return `Environment="${`${name}=${value}`.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%')}"`;
}

export function unitText(options: { self: Invocation; paths: Paths; version: string; env?: Env }): string {
  const env = options.env ?? process.env;
  const exec = [options.self.file, ...options.self.args, 'server'].map(execWord).join(' ');
  // The daemon must resolve the same paths as the shell that installed it: what that shell had set is
  // set, what it had not is unset (systemd sets XDG_RUNTIME_DIR itself, maybe to another value).
  const variables = PATH_VARIABLES.map((name) => (env[name] ? environment(name, env[name]!) : `UnsetEnvironment=${name}`));
  if (env.PATH) variables.push(environment('PATH', env.PATH));
  return `# The ccmux daemon as a systemd user service, written by \`ccmux service install\` (ccmux ${options.version}).
# Sessions live in the daemon; run by systemd they outlive the login when lingering is on
# (loginctl enable-linger). \`ccmux service uninstall\` removes this file.
${SOCKET_MARK}${options.paths.socket}
[Unit]
Description=ccmux daemon: terminal sessions for long-running programs and coding agents

[Service]
Type=simple
ExecStart=${exec}
${variables.join('\n')}
StandardOutput=append:${options.paths.log}
StandardError=append:${options.paths.log}
Restart=on-failure
RestartSec=2
RestartPreventExitStatus=${ALREADY_RUNNING_STATUS}
# SIGTERM to the daemon alone: it hangs up its sessions itself (SIGHUP, then SIGTERM, then SIGKILL).
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=default.target
`;
}

/** The socket the installed unit's daemon listens on, or undefined when no unit is installed. */
export function installedSocket(file = unitPath()): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((candidate) => candidate.startsWith(SOCKET_MARK));
  return line?.slice(SOCKET_MARK.length);
}

export interface SystemctlResult {
  ok: boolean;
  /** stdout, trimmed. */
  output: string;
  /** stderr (or the spawn error), trimmed: why it failed. */
  error: string;
}

/** Runs `systemctl --user ARGS`; never throws (systemctl may be missing). */
export function systemctl(args: string[]): SystemctlResult {
  const result = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return { ok: false, output: '', error: result.error.message };
  return { ok: result.status === 0, output: (result.stdout ?? '').trim(), error: (result.stderr ?? '').trim() };
}

/**
 * For a client that found no daemon: starts the installed service when it is this client's daemon
 * (same socket), so that systemd — not the client — owns it and the two never race. False when there
 * is no such unit or systemd cannot start it; the caller then starts the daemon itself.
 */
export function startService(paths: Paths): boolean {
  if (installedSocket() !== paths.socket) return false;
  return systemctl(['start', UNIT_NAME]).ok;
}
