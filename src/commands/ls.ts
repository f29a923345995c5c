// `ccmux ls`: the sessions, running and exited, as a table that fits the terminal (or JSON); -w keeps it current.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError, EXIT, describeError } from '../errors';
import type { SessionInfo } from '../protocol/requests';
import { openRecordings } from '../recording/recordings';
import { describeSession } from '../server/session-info';
import { colorsFor, stripColor, type Colors, type Style } from '../util/color';
import { JSON_OPTION, printJson, type CommandContext, type CommandSpec } from './command';
import { commandLine, describeExit, fitTable, relativeTime, shortDuration, type Cell, type Column } from './format';
import { numberOption } from './options';
import { terminalSize } from '../client/terminal-size';

function stateCell(session: SessionInfo): Cell {
  if (session.state === 'exited') {
    const details = [describeExit(session.exit), session.recording.imported ? 'imported' : ''].filter(Boolean).join(', ');
    const failed = Boolean(session.exit && (session.exit.signal || session.exit.code));
    return { text: details ? `exited (${details})` : 'exited', styles: [failed ? 'red' : 'dim'] };
  }
  if (session.state === 'lost') return { text: 'lost', styles: ['yellow'] };
  if (session.recording.error) return { text: `running (recording: ${session.recording.error})`, styles: ['yellow'] };
  return { text: 'running', styles: ['green'] };
}

const AGENT_STYLES: Partial<Record<SessionInfo['agent']['state'], Style[]>> = {
  'needs-input': ['bold', 'yellow'],
  working: ['cyan'],
  idle: ['green'],
  starting: ['dim'],
};

/** The agent state, what it waits for, and for how long. */
function agentCell(session: SessionInfo, now: number): Cell {
  if (session.state !== 'running') return { text: '-', styles: ['dim'] };
  const { state, waitingFor, since } = session.agent;
  return { text: `${state}${waitingFor ? ` (${waitingFor})` : ''} ${shortDuration(now - since)}`, styles: AGENT_STYLES[state] };
}

function sizeText(session: SessionInfo): string {
  const owner = session.sizeClient === null ? '' : ` latest:#${session.sizeClient}`;
  return `${session.cols}x${session.rows}${owner}`;
}

const COLUMNS: Column[] = [
  { title: 'NAME' },
  { title: 'ID', drop: 3 },
  { title: 'STATE' },
  { title: 'AGENT' },
  { title: 'CLIENTS', drop: 5 },
  { title: 'SIZE', drop: 2 },
  { title: 'CREATED', drop: 4 },
  { title: 'LAST OUTPUT', drop: 7 },
  { title: 'PID', drop: 1 },
  { title: 'COMMAND', drop: 6, minWidth: 12 },
];

export function sessionTable(sessions: SessionInfo[], width: number, colors: Colors, now = Date.now()): string {
  const rows = sessions.map((session) => [
    { text: session.name, styles: ['bold' as const] },
    session.id,
    stateCell(session),
    agentCell(session, now),
    String(session.clients.length),
    sizeText(session),
    relativeTime(session.createdAt, now),
    relativeTime(session.lastOutputAt, now),
    String(session.pid ?? '-'),
    commandLine(session.command),
  ]);
  return fitTable(COLUMNS, rows, width, colors);
}

/** One line for the top of `ls -w`: how many sessions are in which state, and who needs you. */
function summary(sessions: SessionInfo[], colors: Colors): string {
  const running = sessions.filter((session) => session.state === 'running');
  const waiting = running.filter((session) => session.agent.state === 'needs-input');
  const parts = [`${running.length} running`];
  if (waiting.length) parts.push(colors.paint(`${waiting.length} need${waiting.length === 1 ? 's' : ''} input: ${waiting.map((s) => s.name).join(', ')}`, 'bold', 'yellow'));
  const ended = sessions.length - running.length;
  if (ended) parts.push(`${ended} ended`);
  return parts.join(' · ');
}

/** From the daemon, or — when none runs — from the recordings, where nothing can be running. */
export async function listSessions(context: CommandContext): Promise<SessionInfo[]> {
  try {
    const connection = await context.connect();
    const sessions = await connection.request('ls', {});
    connection.close();
    return sessions;
  } catch (error) {
    if ((error as { code?: string }).code !== 'no-daemon') throw error;
  }
  if (!fs.existsSync(path.join(context.paths.store, 'data.mdb'))) return [];
  const store = openRecordings(context.paths);
  const sessions = store.sessions().map((meta) => describeSession({ ...meta, state: meta.state === 'running' ? 'lost' : meta.state }, undefined));
  await store.close();
  return sessions;
}

/** Redraws the table in the alternate screen every `intervalMs` (and on resize) until q or Ctrl-C. */
async function watch(context: CommandContext, intervalMs: number): Promise<number> {
  const stdout = process.stdout;
  const stdin = process.stdin;
  if (!stdout.isTTY) throw new CcmuxError('usage', 'ls --watch needs a terminal; scripts can follow changes with `ccmux events --json`');
  const colors = colorsFor(stdout);
  let last = '';
  let wake: () => void = () => {};
  let quit = false;
  const stop = () => {
    quit = true;
    wake();
  };
  const onKey = (data: Buffer) => {
    // q, Ctrl-C, Ctrl-D: raw mode delivers Ctrl-C as a byte rather than SIGINT.
    if (data.includes(0x03) || data.includes(0x04) || data.includes(0x71) || data.includes(0x51)) stop();
  };
  const onResize = () => wake();
  stdout.write('\x1b[?1049h\x1b[?25l');
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  stdout.on('resize', onResize);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  try {
    while (!quit) {
      const now = Date.now();
      const size = terminalSize(stdout);
      let body: string;
      let head: string;
      try {
        const sessions = await listSessions(context);
        last = sessions.length ? sessionTable(sessions, size.cols, colors, now) : 'no sessions';
        body = last;
        head = summary(sessions, colors);
      } catch (error) {
        body = colors.paint(`cannot list sessions: ${describeError(error)}`, 'red');
        head = '';
      }
      const clock = new Date(now).toTimeString().slice(0, 8);
      const title = `ccmux ls -w · every ${intervalMs / 1000}s · q quits`;
      const lines = [`${title}${' '.repeat(Math.max(1, size.cols - title.length - clock.length))}${clock}`, head, '', ...body.split('\n')].map(
        // A line that wraps would push the frame down; in a narrow terminal it is cut instead.
        (line) => (stripColor(line).length > size.cols ? `${stripColor(line).slice(0, Math.max(0, size.cols - 1))}…` : line),
      );
      const shown = lines.length > size.rows ? [...lines.slice(0, size.rows - 1), `… ${lines.length - size.rows + 1} more`] : lines;
      stdout.write(`\x1b[H${shown.map((line) => `${line}\x1b[K`).join('\r\n')}\x1b[J`);
      if (quit) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, stop);
    stdout.removeListener('resize', onResize);
    if (stdin.isTTY) {
      stdin.removeListener('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    stdout.write('\x1b[?25h\x1b[?1049l');
  }
  // The last table stays on the normal screen, as if `ccmux ls` had just run.
  if (last) context.print(last);
  return EXIT.ok;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  summary: 'list sessions: state, agent state and what it waits for, last output (-w: live)',
  group: 'Sessions',
  examples: ['ccmux ls', 'ccmux ls -w                     # refresh every second until q or Ctrl-C', 'ccmux ls --json | jq -r ".[].name"'],
  options: [
    { flags: '-w, --watch', description: 'redraw the list in place every second (like watch) until q or Ctrl-C' },
    { flags: '--interval <seconds>', description: 'with --watch: seconds between refreshes (default 1)' },
    JSON_OPTION,
  ],
  async run(context) {
    if (context.options.watch) {
      if (context.options.json) throw new CcmuxError('usage', 'ls: --watch and --json do not go together; scripts can use `ccmux events --json`');
      const interval = numberOption(context, 'interval') ?? 1;
      if (interval < 0.1) throw new CcmuxError('usage', '--interval must be at least 0.1 seconds');
      return watch(context, interval * 1000);
    }
    if (context.options.interval !== undefined) throw new CcmuxError('usage', 'ls: --interval goes with --watch');
    const sessions = await listSessions(context);
    if (context.options.json) {
      printJson(context, sessions);
      return EXIT.ok;
    }
    if (!sessions.length) {
      context.print('no sessions');
      return EXIT.ok;
    }
    const width = process.stdout.isTTY ? terminalSize().cols : Infinity;
    context.print(sessionTable(sessions, width, colorsFor(process.stdout)));
    return EXIT.ok;
  },
};
