// `ccmux replay` on a terminal: raw-mode keys driving the player, the paused status line and title
// notes, signals, and the user's terminal given back as it was (modes, termios, title).
import type { RecordedEvent } from '../timeline';
import { Player, type PlayerOptions, type PlayerStatus, type ReplaySource } from './player';
import { sizeAt } from './recording-size';
import { ReplayKeys, type ReplayAction } from './replay-keys';
import { TerminalView } from './terminal-view';
import { formatClock } from './time-format';

const SEEK_MS = 5000;
const KEY_HELP = 'space play  . step  ←→ 5s  ] next  +- speed  q quit';
const SIGNAL_STATUS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export interface TerminalReplayOptions extends Omit<PlayerOptions, 'clock'> {
  name: string;
  /** The recording's size when nothing in its timeline says (sessions recorded before size events). */
  size: { cols: number; rows: number };
  /** The size warning was already printed before starting. */
  warned: boolean;
}

export function speedLabel(speed: number): string {
  return speed >= 1 ? `${speed}x` : `1/${Math.round(1 / speed)}x`;
}

function eventNote(event: RecordedEvent, events: readonly RecordedEvent[]): string | undefined {
  switch (event.type) {
    case 'state': {
      // Numbered, so that "needs-input #3" can be found again.
      const same = events.filter((other) => other.type === 'state' && other.to === event.to && other.t <= event.t).length;
      return `${String(event.to)} #${same}${event.waitingFor ? ` (${String(event.waitingFor)})` : ''}`;
    }
    case 'notification':
      return `notification: ${[event.title, event.body].filter(Boolean).join(': ')}`;
    case 'marker':
      return event.label ? `marker "${String(event.label)}"` : 'marker';
    case 'resize':
      return `resized to ${String(event.cols)}x${String(event.rows)}`;
    case 'exit':
      return event.signal ? `exited: signal ${String(event.signal)}` : `exited: code ${String(event.code ?? 0)}`;
    case 'lost':
      return 'lost (its daemon stopped)';
    case 'bell':
      return 'bell';
    default:
      return undefined;
  }
}

/** Plays `source` on this process's terminal until it ends, `q`, or a signal; resolves with the exit status. */
export async function replayInTerminal(source: ReplaySource, options: TerminalReplayOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const view = new TerminalView(stdout);
  const keys = new ReplayKeys();
  let note = '';
  let warned = options.warned;

  const clock = (status: PlayerStatus) => `${formatClock(status.time)} / ${formatClock(status.total)}  ${speedLabel(status.speed)}`;
  const show = () => {
    const status = player.status();
    if (status.playing) view.title(`ccmux replay ${options.name}  ${speedLabel(status.speed)}${note ? `  ${note}` : ''}`);
    else view.status(` ${status.atEnd ? 'end' : 'paused'}  ${clock(status)}${note ? `  ${note}` : ''}   ${KEY_HELP}`);
  };
  const player = new Player(source, view, options, (change) => {
    if (change.type === 'no-more-events') note = 'no more markers';
    if (change.type === 'event') {
      const text = eventNote(change.event, source.events);
      // While playing, only what is worth a glance reaches the title (bells and titles would flood it).
      if (!text || (!change.jumped && player.isPlaying && change.event.type === 'bell')) return;
      note = text;
      const size = sizeAt(source.events, change.event.t, options.size);
      if (change.event.type === 'resize' && !warned && (size.cols > stdout.columns || size.rows > stdout.rows)) {
        warned = true;
        note += `, larger than this ${stdout.columns}x${stdout.rows} terminal`;
      }
    }
    show();
  });

  const act = (action: ReplayAction) => {
    note = '';
    switch (action) {
      case 'toggle':
        return player.toggle();
      case 'step':
        return player.isPlaying ? player.pause() : player.step();
      case 'faster':
        return player.setSpeed(player.speed * 2);
      case 'slower':
        return player.setSpeed(player.speed / 2);
      case 'back':
        return player.seekBy(-SEEK_MS);
      case 'forward':
        return player.seekBy(SEEK_MS);
      case 'next':
        return player.nextEvent();
      case 'quit':
        return player.quit();
    }
  };
  const onData = (data: Buffer) => {
    for (const action of keys.feed(data)) act(action);
  };
  const onResize = () => {
    player.redraw();
    if (!player.isPlaying) show();
  };
  let signalled: (status: number) => void = () => {};
  const signal = new Promise<number>((resolve) => (signalled = resolve));
  const onSignal = (name: NodeJS.Signals) => signalled(SIGNAL_STATUS[name] ?? 1);
  // A terminal that went away (hang-up) fails writes with EIO; the SIGHUP that comes with it ends the replay.
  const onWriteError = () => player.quit();

  stdout.on('error', onWriteError);
  for (const name of Object.keys(SIGNAL_STATUS) as NodeJS.Signals[]) process.on(name, onSignal);
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  }
  stdout.on('resize', onResize);
  view.begin();
  let status = 0;
  try {
    player.start();
    status = await Promise.race([player.done.then(() => 0), signal]);
  } finally {
    const final = player.status();
    const end = player.done;
    player.quit();
    stdout.removeListener('resize', onResize);
    for (const name of Object.keys(SIGNAL_STATUS) as NodeJS.Signals[]) process.removeListener(name, onSignal);
    const how = (await end) === 'end' && status === 0 ? 'ended' : 'stopped';
    view.end(`[replay of ${options.name} ${how} at ${formatClock(final.time)} / ${formatClock(final.total)}]`);
    if (stdin.isTTY) {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
  return status;
}
