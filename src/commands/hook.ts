// `ccmux hook` (hidden): what Claude Code runs for the hooks ccmux gave it. Reads the hook event JSON
// on stdin and reports it to the daemon of the session in $CCMUX_SESSION. Never fails the agent:
// whatever goes wrong, it exits 0 and prints nothing (a hook's stdout can steer Claude Code).
import * as fs from 'node:fs';
import { DaemonConnection } from '../client/connection';
import { EXIT } from '../errors';
import type { CommandSpec } from './command';

const TIMEOUT_MS = 3000;

export const hookCommand: CommandSpec = {
  name: 'hook',
  summary: "report a Claude Code hook event to the session's daemon (run by Claude Code)",
  group: 'Daemon',
  examples: ['echo \'{"hook_event_name":"Stop"}\' | CCMUX_SESSION=abc123 ccmux hook'],
  options: [],
  hidden: true,
  async run(context) {
    const session = process.env.CCMUX_SESSION;
    // Hooks configured elsewhere may run for a claude outside ccmux: then there is nothing to do.
    if (!session) return EXIT.ok;
    try {
      const event = JSON.parse(fs.readFileSync(0, 'utf8')) as Record<string, unknown>;
      const socket = process.env.CCMUX_SOCKET || context.paths.socket;
      const connection = await DaemonConnection.connect(socket);
      await Promise.race([
        connection.request('agent-hook', { session, event, startedAt: performance.timeOrigin }),
        new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS).unref()),
      ]);
      connection.close();
    } catch {
      // Best effort by design: the agent must not be disturbed.
    }
    return EXIT.ok;
  },
};
