// `ccmux attach`: the user's terminal in raw mode, wired to a session until detach, exit or a signal.
import { CcmuxError, EXIT } from '../errors';
import type { ServerMessage } from '../protocol/messages';
import type { DaemonConnection } from './connection';
import { notificationSequence } from './notification-sequence';
import { PrefixKeys } from './prefix-keys';
import { TerminalModes } from './terminal-modes';
import { terminalSize } from './terminal-size';

export interface AttachOptions {
  session: string | undefined;
  readOnly: boolean;
  detachOthers: boolean;
  prefix: number;
}

type AttachEnd = Extract<ServerMessage, { type: 'attach-end' }>;

function endMessage(end: AttachEnd): string {
  switch (end.reason) {
    case 'client':
      return `[detached (from session ${end.session})]`;
    case 'others':
      return `[detached (from session ${end.session}) by another client]`;
    case 'exited':
      if (end.exit?.signal) return `[exited: signal ${end.exit.signal}]`;
      return `[exited: code ${end.exit?.code ?? 0}]`;
    case 'removed':
      return `[session ${end.session} was removed]`;
    case 'server-exit':
      return '[server exited]';
  }
}

export async function attach(connection: DaemonConnection, options: AttachOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) throw new CcmuxError('usage', 'attach needs a terminal (stdin and stdout must be a TTY)');

  const modes = new TerminalModes();
  const keys = new PrefixKeys(options.prefix);
  let started = false;
  let finished = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const restoreTerminal = (message: string) => {
    if (finished) return;
    finished = true;
    if (!started) return; // The attach was refused: the terminal was never touched.
    stdout.write(`${modes.restoreSequence()}\r\n${message}\r\n`);
    if (stdin.isRaw) stdin.setRawMode(false);
    stdin.pause();
  };
  const finish = (message: string, code: number) => {
    restoreTerminal(message);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
    stdout.removeListener('resize', onResize);
    connection.close();
    resolveDone(code);
  };

  const onOutput = (data: Buffer) => {
    if (finished) return;
    modes.observe(data);
    if (!stdout.write(data)) {
      // Let a slow terminal push back: the daemon drops our backlog and repaints once we catch up.
      connection.pause();
      stdout.once('drain', () => connection.resume());
    }
  };
  connection.setStreamHandlers({
    output: onOutput,
    message: (message) => {
      if (message.type === 'attach-end') finish(endMessage(message), EXIT.ok);
      else if (message.type === 'notify' && !finished) stdout.write(notificationSequence(message.title, message.body));
    },
    close: () => finish('[lost server]', EXIT.failure),
  });

  const session = await connection.request('attach', {
    session: options.session,
    readOnly: options.readOnly,
    detachOthers: options.detachOthers,
    ...terminalSize(stdout),
  });
  if (finished) return done;

  started = true;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.on('data', (data: Buffer) => {
    for (const action of keys.feed(data)) {
      if (action.type === 'detach') connection.sendControl({ type: 'detach' });
      else if (!options.readOnly) connection.sendInput(action.data);
    }
  });
  const onResize = () => {
    if (!options.readOnly) connection.sendControl({ type: 'attach-resize', ...terminalSize(stdout) });
  };
  stdout.on('resize', onResize);
  const onSignal = (signal: NodeJS.Signals) => {
    connection.sendControl({ type: 'detach' });
    finish(`[detached (from session ${session.name}): ${signal}]`, signal === 'SIGHUP' ? 129 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return done;
}
