// Bundled plugin: shell hooks. The config's `hooks` maps an event name to a command (or a list of
// commands); each runs with CCMUX_EVENT, CCMUX_SESSION… in its environment and the event JSON on
// stdin — the convention Claude Code's own hooks use.
import { spawn } from 'node:child_process';
import type { CcmuxEvent, CcmuxEventName, Plugin, PluginContext } from '../../src/plugins/plugin-api';

const TIMEOUT_MS = 30_000;

/** Environment for a hook: the event's scalar fields as CCMUX_* variables. */
export function hookEnvironment(event: CcmuxEvent): Record<string, string> {
  const env: Record<string, string> = {
    CCMUX_EVENT: event.type,
    CCMUX_SESSION: event.session.id,
    CCMUX_SESSION_NAME: event.session.name,
    CCMUX_TIME: new Date(event.time).toISOString(),
  };
  for (const [key, value] of Object.entries(event)) {
    if (['type', 'session', 'time'].includes(key) || value === null || typeof value === 'object') continue;
    env[`CCMUX_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`] = String(value);
  }
  // The agent state a session moved to, under the name people look for.
  if (event.type === 'agent-state-changed') env.CCMUX_STATE = event.to;
  return env;
}

function run(context: PluginContext, command: string, event: CcmuxEvent): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...hookEnvironment(event) },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()).length > 4096 && (stderr = stderr.slice(-4096)));
    const timer = setTimeout(() => {
      context.log.warn(`hook for ${event.type} did not finish in ${TIMEOUT_MS / 1000} s; killing it: ${command}`);
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', (error) => context.log.warn(`hook for ${event.type} failed to start: ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code) context.log.warn(`hook for ${event.type} exited ${code}: ${command}${stderr ? ` — ${stderr.trim()}` : ''}`);
      resolve();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(event)}\n`);
  });
}

const plugin: Plugin = {
  name: 'shell-hooks',
  activate(context) {
    for (const [event, commands] of Object.entries(context.config)) {
      const list = (Array.isArray(commands) ? commands : [commands]).filter((command): command is string => typeof command === 'string');
      // Hooks run in the background: a slow hook must not hold up other plugins' events.
      context.on(event as CcmuxEventName, (payload) => {
        for (const command of list) void run(context, command, payload as CcmuxEvent);
      });
    }
  },
};

export default plugin;
