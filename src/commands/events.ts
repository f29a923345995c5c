// `ccmux events`: stream the daemon's events (state changes, notifications, exits…) for scripts.
import { EXIT } from '../errors';
import type { CcmuxEvent } from '../plugins/plugin-api';
import { JSON_OPTION, type CommandSpec } from './command';
import { stringOption } from './options';

function describe(event: CcmuxEvent): string {
  const time = new Date(event.time).toISOString().slice(11, 19);
  const head = `${time} ${event.session.name} ${event.type}`;
  switch (event.type) {
    case 'agent-state-changed':
      return `${head} ${event.from} → ${event.to}${event.waitingFor ? ` (${event.waitingFor})` : ''}: ${event.reason} [${event.source}]`;
    case 'notification':
      return `${head} ${[event.title, event.body].filter(Boolean).join(': ')}`;
    case 'session-exited':
      return `${head} ${event.signal ? `signal ${event.signal}` : `code ${event.code}`}`;
    case 'title-changed':
      return `${head} ${event.title}`;
    case 'marker':
      return `${head} ${event.label}`;
    default:
      return head;
  }
}

export const eventsCommand: CommandSpec = {
  name: 'events',
  summary: 'stream events as they happen: agent states, notifications, exits (one per line)',
  group: 'Watch',
  examples: ['ccmux events', 'ccmux events --json -s claude | jq -r "select(.type==\\"agent-state-changed\\") | .to"'],
  options: [{ flags: '-s, --session <name>', description: 'only this session' }, JSON_OPTION],
  async run(context) {
    const connection = await context.connect();
    const ended = new Promise<void>((resolve) =>
      connection.setStreamHandlers({
        message: (message) => {
          if (message.type !== 'event') return;
          const event = message.event as CcmuxEvent;
          context.print(context.options.json ? JSON.stringify(event) : describe(event));
        },
        close: resolve,
      }),
    );
    await connection.request('events', { session: stringOption(context, 'session') });
    await ended;
    return EXIT.ok;
  },
};
