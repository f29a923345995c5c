// A session: one program on a PTY, its screen mirror, its attached clients, and its exit.
import { CcmuxError } from '../errors';
import { keyBytes } from '../keys';
import type { ScreenMirror, MirrorHost } from '../mirror/mirror-host';
import type { ScreenText } from '../mirror/screen';
import type { DetachReason, ExitInfo } from '../protocol/messages';
import type { SessionInfo, SessionState } from '../protocol/requests';
import { PtyProcess } from '../pty/pty';
import { Emitter } from '../util/emitter';
import { AttachedClient, type ClientSink } from './attached-client';
import { checkDirectory, resolveExecutable } from './executable';

/** Pause the program while this many output bytes wait for the mirror; resume below the low mark. */
const MIRROR_HIGH_WATER = 8 * 1024 * 1024;
const MIRROR_LOW_WATER = 2 * 1024 * 1024;
/** `kill` without a signal: SIGHUP, then SIGTERM, then SIGKILL, this far apart. */
const KILL_ESCALATION_MS = 2000;

export interface SessionSpec {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export interface SessionDeps {
  mirrors: MirrorHost;
  scrollback: number;
  socketPath: string;
}

/** Environment variables a program must not inherit from the client's terminal inside ccmux. */
const UNINHERITED_ENV = ['TMUX', 'TMUX_PANE', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'CCMUX_SESSION', 'CCMUX_SOCKET'];

export class Session {
  readonly id: string;
  name: string;
  readonly command: string[];
  readonly cwd: string;
  readonly createdAt = Date.now();
  cols: number;
  rows: number;
  state: SessionState = 'running';
  exit: ExitInfo | null = null;
  exitedAt: number | null = null;
  lastOutputAt: number | null = null;
  /** Most recent attach or input; `attach` without a name picks the session where this is latest. */
  lastUsedAt = Date.now();
  title = '';
  readonly pid: number;

  readonly onOutput = new Emitter<Buffer>();
  readonly onExit = new Emitter<ExitInfo>();

  private readonly pty: PtyProcess;
  private readonly mirror: ScreenMirror;
  private readonly clients = new Set<AttachedClient>();
  private sizeClient: AttachedClient | undefined;
  private pausedForMirror = false;

  constructor(spec: SessionSpec, deps: SessionDeps) {
    this.id = spec.id;
    this.name = spec.name;
    this.command = spec.command;
    this.cwd = spec.cwd;
    this.cols = spec.cols;
    this.rows = spec.rows;
    checkDirectory(spec.cwd);
    const env: Record<string, string> = { ...spec.env };
    for (const key of UNINHERITED_ENV) delete env[key];
    Object.assign(env, { TERM: 'xterm-256color', CCMUX_SESSION: spec.id, CCMUX_SOCKET: deps.socketPath, PWD: spec.cwd });
    const [program, ...args] = spec.command;
    if (!program) throw new CcmuxError('bad-request', 'no command to run');
    const file = resolveExecutable(program, env.PATH, spec.cwd);

    this.mirror = deps.mirrors.open(spec.id, { cols: spec.cols, rows: spec.rows }, deps.scrollback, {
      answer: (data) => {
        // The mirror stands in for a terminal only while no real terminal is attached to answer.
        if (!this.hasWritableClient()) this.pty.write(data);
      },
      title: (title) => (this.title = title),
      parsed: () => this.updateFlowControl(),
    });
    try {
      this.pty = new PtyProcess({ file, args, cwd: spec.cwd, env, cols: spec.cols, rows: spec.rows });
    } catch (error) {
      this.mirror.dispose();
      throw new CcmuxError('internal', `cannot start ${program}: ${(error as Error).message}`);
    }
    this.pid = this.pty.pid;
    this.pty.onData((data) => this.onData(data));
    this.pty.onExit((exit) => this.onPtyExit(exit));
  }

  private onData(data: Buffer): void {
    this.lastOutputAt = Date.now();
    // Forward first: clients never wait for the parser.
    for (const client of this.clients) client.deliver(data);
    this.mirror.write(data);
    this.onOutput.fire(data);
    this.updateFlowControl();
  }

  private updateFlowControl(): void {
    const backlog = this.mirror.backlog;
    if (!this.pausedForMirror && backlog > MIRROR_HIGH_WATER) {
      this.pausedForMirror = true;
      this.pty.pause();
    } else if (this.pausedForMirror && backlog < MIRROR_LOW_WATER) {
      this.pausedForMirror = false;
      this.pty.resume();
    }
  }

  private onPtyExit(exit: ExitInfo): void {
    this.state = 'exited';
    this.exit = exit;
    this.exitedAt = Date.now();
    for (const client of this.clients) client.end('exited', exit);
    this.clients.clear();
    this.sizeClient = undefined;
    this.onExit.fire(exit);
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  private hasWritableClient(): boolean {
    for (const client of this.clients) if (!client.readOnly) return true;
    return false;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      name: this.name,
      command: this.command,
      cwd: this.cwd,
      pid: this.pid,
      createdAt: this.createdAt,
      state: this.state,
      exit: this.exit,
      exitedAt: this.exitedAt,
      cols: this.cols,
      rows: this.rows,
      sizePolicy: 'latest',
      sizeClient: this.sizeClient?.id ?? null,
      clients: [...this.clients].map((client) => ({
        id: client.id,
        readOnly: client.readOnly,
        cols: client.cols,
        rows: client.rows,
        attachedAt: client.attachedAt,
        lastActiveAt: client.lastActiveAt,
      })),
      lastOutputAt: this.lastOutputAt,
      title: this.title,
    };
  }

  /** Attaches a client: it becomes the size owner (unless read-only) and gets a repaint at once. */
  attach(sink: ClientSink, options: { readOnly: boolean; cols: number; rows: number }): AttachedClient {
    if (!this.isRunning) throw new CcmuxError('invalid-state', `session ${this.name} has exited`);
    let redrawAfterRepaint = false;
    const client = new AttachedClient(sink, options.readOnly, options.cols, options.rows, async () => {
      const repaint = await this.mirror.repaint();
      // Ask a full-screen program to redraw itself on attach (a resize already does that).
      if (redrawAfterRepaint && repaint.altScreen) this.signalForeground('SIGWINCH');
      redrawAfterRepaint = false;
      return repaint.data;
    });
    this.clients.add(client);
    this.lastUsedAt = Date.now();
    redrawAfterRepaint = !options.readOnly && !this.makeSizeOwner(client);
    client.sync();
    return client;
  }

  detach(client: AttachedClient, reason: DetachReason): void {
    if (!this.clients.delete(client)) return;
    client.end(reason);
    if (this.sizeClient === client) {
      this.sizeClient = undefined;
      let next: AttachedClient | undefined;
      for (const other of this.clients) {
        if (!other.readOnly && (!next || other.lastActiveAt > next.lastActiveAt)) next = other;
      }
      if (next) this.makeSizeOwner(next);
    }
  }

  detachOthers(keep: AttachedClient): void {
    for (const client of [...this.clients]) if (client !== keep) this.detach(client, 'others');
  }

  /** Keystrokes from an attached client (read-only clients are refused by the caller). */
  input(client: AttachedClient, data: Buffer): void {
    if (!this.isRunning) return;
    client.lastActiveAt = this.lastUsedAt = Date.now();
    if (this.sizeClient !== client) this.makeSizeOwner(client);
    this.pty.write(data);
  }

  clientResized(client: AttachedClient, cols: number, rows: number): void {
    client.cols = cols;
    client.rows = rows;
    if (this.sizeClient === client) this.resize(cols, rows);
  }

  /** `latest` policy: this client's size now decides. Returns whether the session changed size. */
  private makeSizeOwner(client: AttachedClient): boolean {
    this.sizeClient = client;
    return this.resize(client.cols, client.rows);
  }

  resize(cols: number, rows: number): boolean {
    if (!this.isRunning || (cols === this.cols && rows === this.rows)) return false;
    this.cols = cols;
    this.rows = rows;
    this.pty.resize(cols, rows);
    this.mirror.resize(cols, rows);
    return true;
  }

  /** Types into the session: text (as a bracketed paste when the program asked for it), then keys. */
  async send(text: string | undefined, keys: string[], enter: boolean): Promise<number> {
    if (!this.isRunning) throw new CcmuxError('invalid-state', `session ${this.name} has exited`);
    const modes = await this.mirror.text({ ansi: false, scrollback: 0 });
    let data = '';
    if (text) {
      const typed = text.replace(/\r?\n/g, '\r');
      // A final newline is a press of Enter after the paste, so that pasted input is also submitted.
      const body = typed.endsWith('\r') ? typed.slice(0, -1) : typed;
      const submit = body.length < typed.length ? '\r' : '';
      data += modes.bracketedPaste && body.includes('\r') ? `\x1b[200~${body}\x1b[201~${submit}` : typed;
    }
    for (const key of keys) data += keyBytes(key, modes);
    if (enter) data += '\r';
    const bytes = Buffer.from(data, 'utf8');
    this.lastUsedAt = Date.now();
    this.pty.write(bytes);
    return bytes.length;
  }

  screen(options: { ansi: boolean; scrollback: number }): Promise<ScreenText> {
    return this.mirror.text(options);
  }

  /** Sends `signal`; without one, hangs up and escalates to SIGTERM and SIGKILL until the program is gone. */
  kill(signal?: NodeJS.Signals): Promise<void> {
    if (!this.isRunning) return Promise.resolve();
    if (signal) {
      this.pty.kill(signal);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const steps: NodeJS.Signals[] = ['SIGHUP', 'SIGTERM', 'SIGKILL'];
      let timer: NodeJS.Timeout | undefined;
      const exited = this.onExit.on(() => {
        clearTimeout(timer);
        exited.dispose();
        resolve();
      });
      const next = () => {
        const step = steps.shift();
        if (!step) return;
        this.pty.kill(step);
        if (steps.length) timer = setTimeout(next, KILL_ESCALATION_MS);
      };
      next();
    });
  }

  private signalForeground(signal: NodeJS.Signals): void {
    const group = this.pty.foregroundProcessGroup();
    try {
      process.kill(group ? -group : this.pid, signal);
    } catch {
      // Gone meanwhile.
    }
  }

  /** Frees the screen mirror; ends the program if it still runs. */
  dispose(reason: DetachReason): void {
    for (const client of this.clients) client.end(reason);
    this.clients.clear();
    if (this.isRunning) this.pty.dispose();
    this.mirror.dispose();
    this.onOutput.clear();
  }
}
