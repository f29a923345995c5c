// The live session list: state, agent state, command, cwd, last output, attached clients.
import type { SessionInfo } from '../../protocol/requests';
import { commandLine, relativeTime } from '../../commands/format';
import { el } from './dom';

export interface SessionListHandlers {
  open(session: SessionInfo): void;
  replay(session: SessionInfo): void;
}

function stateText(session: SessionInfo): string {
  if (session.state !== 'exited' || !session.exit) return session.state;
  return session.exit.signal ? `exited (${session.exit.signal})` : `exited (${session.exit.code})`;
}

function clientsText(session: SessionInfo): string {
  const count = session.clients.length;
  if (!count) return 'no clients';
  const watching = session.clients.filter((client) => client.readOnly).length;
  return `${count} client${count === 1 ? '' : 's'}${watching ? ` (${watching} read-only)` : ''}`;
}

function card(session: SessionInfo, preview: string | undefined, selected: boolean, handlers: SessionListHandlers): HTMLElement {
  const running = session.state === 'running';
  const agent = session.agent;
  const open = el('button', { type: 'button', class: 'open', hidden: !running }, 'Open');
  open.addEventListener('click', (event) => {
    event.stopPropagation();
    handlers.open(session);
  });
  const replay = el('button', { type: 'button', class: 'replay' }, 'Replay');
  replay.addEventListener('click', (event) => {
    event.stopPropagation();
    handlers.replay(session);
  });
  const item = el(
    'li',
    { class: 'session', 'data-session': session.id, 'data-name': session.name, 'data-state': session.state, 'aria-current': selected ? 'true' : undefined, tabindex: '0' },
    el(
      'div',
      { class: 'session-head' },
      el('strong', { class: 'session-name' }, session.name),
      el('span', { class: `badge state-${session.state}` }, stateText(session)),
      running && agent.state !== 'unknown' && el('span', { class: `badge agent agent-${agent.state}`, title: agent.reason }, agent.waitingFor ? `${agent.state}: ${agent.waitingFor}` : agent.state),
    ),
    el('div', { class: 'session-command' }, commandLine(session.command)),
    el('div', { class: 'session-cwd' }, session.cwd),
    el('pre', { class: 'session-preview' }, preview ?? ''),
    el('div', { class: 'session-meta' }, `${session.lastOutputAt === null ? 'no output yet' : `output ${relativeTime(session.lastOutputAt)}`} · ${clientsText(session)} · ${session.cols}×${session.rows}`),
    el('div', { class: 'session-actions' }, open, replay),
  );
  const activate = () => (running ? handlers.open(session) : handlers.replay(session));
  item.addEventListener('click', activate);
  item.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target === item) activate();
  });
  return item;
}

export function renderSessions(
  list: HTMLElement,
  sessions: SessionInfo[],
  previews: ReadonlyMap<string, string>,
  selected: string | undefined,
  handlers: SessionListHandlers,
): void {
  if (!sessions.length) {
    list.replaceChildren(el('li', { class: 'hint' }, 'No sessions yet. Start one with `ccmux new`.'));
    return;
  }
  // Running first, then the most recent.
  const ordered = [...sessions].sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || b.createdAt - a.createdAt);
  list.replaceChildren(...ordered.map((session) => card(session, previews.get(session.id), session.id === selected, handlers)));
}
