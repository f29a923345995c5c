// A live session: one program on a PTY, its screen mirror, its recording, its attached clients, its exit.
import { AgentTracker, type AgentChange, type AgentStatus } from '../agent/agent-tracker';
import { rulesForCommand, rulesForTitle, type AgentRules } from '../agent/agent-rules';
import { claudeHookArguments } from '../agent/claude-hooks';
import { NotificationParser } from '../agent/notifications';
import { CcmuxError } from '../errors';
import { keyBytes } from '../keys';
import type { MirrorHost, ScreenMirror } from '../mirror/mirror-host';
import type { SignalKind } from '../mirror/mirror-protocol';
import type { ScreenText } from '../mirror/screen';
import type { CcmuxEvent, CcmuxEvents, SessionSnapshot } from '../plugins/plugin-api';
import type { DetachReason, ExitInfo } from '../protocol/messages';
import type { SessionInfo } from '../protocol/requests';
import { PtyProcess } from '../pty/pty';
import type { Invocation } from '../self';
import { redrawKey } from '../recording/line-renderer';
import type { Recorder, TimelineEvent } from '../recording/recorder';
import type { StoredSession } from '../store/store';
import { Emitter } from '../util/emitter';
import { AttachedClient, type ClientSink } from './attached-client';
import { checkDirectory, resolveExecutable } from './executable';
import { describeSession } from './session-info';

/**
 * Pause the program while more output than its share of BACKLOG_BUDGET waits for the mirror or the
 * store (between the two bounds); resume below a quarter of that. One session printing alone may
 * run 8 MiB ahead; a hundred printing at once share 128 MiB rather than holding 800.
 */
const BACKLOG_BUDGET = 128 * 1024 * 1024;
const MIN_HIGH_WATER = 512 * 1024;
const MAX_HIGH_WATER = 8 * 1024 * 1024;
/**
 * A title that differs from the last recorded one only in spinner glyphs and digits (redrawKey) is recorded
 * at most this often: agent TUIs animate their title every frame (150 000 events for 16 MiB of output).
 */
const TITLE_SAMPLE_MS = 2000;
/** `kill` without a signal: SIGHUP, then SIGTERM, then SIGKILL, this far apart. */
const KILL_ESCALATION_MS = 2000;

export interface SessionDeps {
  mirrors: MirrorHost;
  scrollback: number;
  /** Output that may wait in memory for the screen mirror before it reads from the recording instead (bytes). */
  mirrorBacklog: number | undefined;
  socketPath: string;
  /** Record what clients type (off by default: passwords are input). */
  recordInput: boolean;
  /** How many sessions are running (they share the output backlog budget). */
  runningSessions(): number;
  /** Why recording is degraded, if it is. */
  recordingError(): string | undefined;
  /** The daemon's event bus (plugins, `ccmux events`). */
  events: Emitter<CcmuxEvent>;
  agentRules: AgentRules[];
  /** Where per-session Claude Code settings files go. */
  hooksDir: string;
  /** How to run ccmux itself (for hook commands). */
  self: Invocation;
}

/** A client that typed or attached this recently is "viewing" the session (no notifications for it). */
const VIEWING_MS = 60_000;
/** Screen rules are checked this long after output settles. */
const SCREEN_CHECK_MS = 250;

/**
 * Environment variables a program must not inherit from the client's terminal inside ccmux
 * (`PKG_EXECPATH` is the single binary's own marker: a program that inherited it would confuse pkg).
 */
const UNINHERITED_ENV = ['TMUX', 'TMUX_PANE', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'CCMUX_SESSION', 'CCMUX_SOCKET', 'PKG_EXECPATH'];

export class Session {
  /** Most recent attach or input; `attach` without a name picks the session where this is latest. */
  lastUsedAt = Date.now();
  readonly pid: number;

  readonly onOutput = new Emitter<Buffer>();
  readonly onExit = new Emitter<ExitInfo>();
  readonly onAgentState = new Emitter<AgentChange>();

  private readonly pty: PtyProcess;
  private readonly mirror: ScreenMirror;
  private readonly clients = new Set<AttachedClient>();
  private sizeClient: AttachedClient | undefined;
  private paused = false;
  /** The last title recorded on the timeline: its redrawKey, and when. */
  private recordedTitle = { key: '', at: -Infinity };
  /** Session time (ms since it was created) at `startedAt`, on the monotonic clock. */
  private readonly timeBase: number;
  private readonly startedAt = performance.now();
  /** Resolves once the exit is recorded. */
  finished: Promise<void> = Promise.resolve();
  private readonly agent: AgentTracker;
  private readonly notifications = new NotificationParser();
  private screenTimer: NodeJS.Timeout | undefined;
  private lastInputAt = 0;
  /** Ended by `ccmux kill` (or the daemon stopping): a restart policy does not apply. */
  killedOnPurpose = false;

  /** Starts `meta.command` in `meta.cwd`; `meta` is shared with the recorder and is the session's truth. */
  constructor(
    readonly meta: StoredSession,
    env: Record<string, string>,
    private readonly recorder: Recorder,
    private readonly deps: SessionDeps,
  ) {
    this.timeBase = Date.now() - meta.createdAt;
    checkDirectory(meta.cwd);
    const programEnv: Record<string, string> = { ...env };
    for (const key of UNINHERITED_ENV) delete programEnv[key];
    Object.assign(programEnv, { TERM: 'xterm-256color', CCMUX_SESSION: meta.id, CCMUX_SOCKET: deps.socketPath, PWD: meta.cwd });
    const [program, ...args] = meta.command;
    if (!program) throw new CcmuxError('bad-request', 'no command to run');
    const file = resolveExecutable(program, programEnv.PATH, meta.cwd);
    const rules = rulesForCommand(deps.agentRules, meta.command);
    if (rules?.claudeHooks) args.push(...claudeHookArguments(rules, meta.id, deps.hooksDir, deps.self));
    this.agent = new AgentTracker(
      rules,
      (change) => {
        this.record({ type: 'state', ...change });
        this.emit('agent-state-changed', change);
        this.onAgentState.fire(change);
      },
      (quietSeconds) => this.emit('output-idle', { quietSeconds }),
    );

    this.mirror = deps.mirrors.open(meta.id, { cols: meta.cols, rows: meta.rows }, deps.scrollback, recorder, {
      answer: (data) => {
        // The mirror stands in for a terminal only while no real terminal is attached to answer.
        if (!this.hasWritableClient()) this.pty.write(data);
      },
      title: (title) => {
        meta.title = title;
        this.recordTitle(title);
        this.emit('title-changed', { title });
        const titled = rulesForTitle(deps.agentRules, title);
        if (titled) this.agent.adopt(titled);
        this.agent.title(title);
      },
      bell: (time) => {
        this.recorder.event({ type: 'bell' }, time);
        this.emit('bell', {});
      },
      signal: (kind, data, time) => this.onSignal(kind, data, time),
      parsed: () => this.updateFlowControl(),
      lines: (offset, block) => this.recorder.lines(offset, block),
      keyframe: (offset, block) => this.recorder.keyframe(offset, block),
    });
    try {
      this.pty = new PtyProcess({ file, args, cwd: meta.cwd, env: programEnv, cols: meta.cols, rows: meta.rows });
    } catch (error) {
      this.mirror.dispose();
      throw new CcmuxError('internal', `cannot start ${program}: ${(error as Error).message}`);
    }
    this.pid = this.pty.pid;
    Object.assign(meta, { state: 'running', pid: this.pid, exit: null, exitedAt: null });
    this.record({ type: 'start', command: meta.command, cwd: meta.cwd, cols: meta.cols, rows: meta.rows, pid: this.pid });
    recorder.saveMeta();
    this.emit('session-created', { command: meta.command, cwd: meta.cwd });
    this.pty.onData((data) => this.onData(data));
    this.pty.onExit((exit) => this.onPtyExit(exit));
  }

  get id(): string {
    return this.meta.id;
  }

  get name(): string {
    return this.meta.name;
  }

  set name(name: string) {
    this.meta.name = name;
    this.recorder.saveMeta();
  }

  get isRunning(): boolean {
    return this.meta.state === 'running';
  }

  /** Milliseconds since the session was created (monotonic while the daemon runs). */
  time(): number {
    return this.timeBase + (performance.now() - this.startedAt);
  }

  private record(event: TimelineEvent): void {
    this.recorder.event(event, this.time());
  }

  /** Records a title change, sampling one that only animates (see TITLE_SAMPLE_MS). */
  private recordTitle(title: string): void {
    const key = redrawKey(title);
    const now = Date.now();
    if (key === this.recordedTitle.key && now - this.recordedTitle.at < TITLE_SAMPLE_MS) return;
    this.recordedTitle = { key, at: now };
    this.record({ type: 'title', title });
  }

  private emit<K extends keyof CcmuxEvents>(type: K, fields: Omit<CcmuxEvents[K], 'time' | 'session'>): void {
    this.deps.events.fire({ type, time: Date.now(), session: { id: this.id, name: this.name }, ...fields } as CcmuxEvent);
  }

  private onSignal(kind: SignalKind, data: string, time: number): void {
    switch (kind) {
      case 'osc7501':
        // Claude Code's probe: answering it makes the agent report its state in-band.
        if (data === '?') this.pty.write('\x1b]7501;?\x07');
        else this.agent.osc7501(data);
        return;
      case 'progress':
        return;
      case 'osc9':
      case 'osc777':
      case 'osc99': {
        const notification = this.notifications.parse(kind, data);
        if (!notification) return;
        this.recorder.event({ type: 'notification', ...notification }, time);
        this.emit('notification', notification);
        this.agent.notification();
        return;
      }
    }
  }

  /** A Claude Code hook reported an event for this session (`startedAt`: when its `ccmux hook` started). */
  agentHook(event: Record<string, unknown>, startedAt?: number): void {
    // On the timeline, so that `ccmux export` shows what the agent reported and how late it arrived.
    this.record({
      type: 'hook',
      event: String(event.hook_event_name ?? ''),
      ...(event.notification_type !== undefined && { notificationType: String(event.notification_type) }),
      ...(startedAt !== undefined && { delayMs: Math.max(0, Math.round(Date.now() - startedAt)) }),
    });
    this.agent.hook(event);
  }

  get agentStatus(): AgentStatus {
    return this.agent.current;
  }

  /** Someone typed into or attached to this session within the last minute. */
  get viewing(): boolean {
    const now = Date.now();
    for (const client of this.clients) if (!client.readOnly && now - client.lastActiveAt < VIEWING_MS) return true;
    return false;
  }

  snapshot(): SessionSnapshot {
    const { state, since, reason, source, waitingFor, agent } = this.agent.current;
    return {
      id: this.id,
      name: this.name,
      command: this.meta.command,
      cwd: this.meta.cwd,
      state: this.meta.state,
      agent: { state, since, reason, source, waitingFor, agent },
      clients: this.clients.size,
      viewing: this.viewing,
      muted: Boolean(this.meta.muted),
      title: this.meta.title,
      exit: this.meta.exit,
    };
  }

  /** Resolves once the session's metadata and events so far are in the store (it survives a crash). */
  saved(): Promise<void> {
    return this.recorder.committed();
  }

  /** Input was sent within `ms` (an agent needs a moment to report that it took it). */
  inputWithin(ms: number): boolean {
    return Date.now() - this.lastInputAt < ms;
  }

  private onData(data: Buffer): void {
    const time = this.time();
    // Forward first: clients never wait for the parser or the store.
    for (const client of this.clients) client.deliver(data);
    this.recorder.output(data, time);
    this.mirror.write(data, time);
    this.onOutput.fire(data);
    this.agent.output();
    if (this.agent.agentRules?.screen.length) {
      if (this.screenTimer) this.screenTimer.refresh();
      else this.screenTimer = setTimeout(() => this.checkScreen(), SCREEN_CHECK_MS);
    }
    this.updateFlowControl();
  }

  /** Screen rules (the weakest agent signal): what the program shows once its output settles. */
  private checkScreen(): void {
    this.screenTimer = undefined;
    if (!this.isRunning) return;
    this.mirror.text({ ansi: false, scrollback: 0 }).then(
      (screen) => {
        const retryIn = this.agent.screen(screen.text);
        // A screen state refused because a stronger signal is fresh: look again once it is stale.
        if (retryIn > 0 && !this.screenTimer) this.screenTimer = setTimeout(() => this.checkScreen(), retryIn + 50);
      },
      () => undefined,
    );
  }

  private updateFlowControl(): void {
    const highWater = Math.min(MAX_HIGH_WATER, Math.max(MIN_HIGH_WATER, BACKLOG_BUDGET / Math.max(1, this.deps.runningSessions())));
    // A mirror that cannot keep up reads the output back from the recording later, as long as there is one:
    // the program is held back by the recording, by a mirror without one, and by a mirror too far behind.
    const mirrorLimit = Math.min(highWater, this.deps.mirrorBacklog ?? highWater);
    const mirrorWait = this.mirror.pressure(mirrorLimit, highWater, !this.deps.recordingError());
    const backlog = Math.max(mirrorWait, this.recorder.inFlight);
    if (!this.paused && backlog > highWater) {
      this.paused = true;
      this.pty.pause();
    } else if (this.paused && backlog < highWater / 4) {
      this.paused = false;
      this.pty.resume();
    }
  }

  /** The recorder's in-flight bytes went down: more output is durable. */
  storeSettled(): void {
    this.mirror.catchUp();
    this.updateFlowControl();
  }

  private onPtyExit(exit: ExitInfo): void {
    Object.assign(this.meta, { state: 'exited', exit, exitedAt: Date.now(), pid: null });
    this.record({ type: 'exit', code: exit.code, signal: exit.signal });
    clearTimeout(this.screenTimer);
    this.agent.exited(exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
    this.agent.dispose();
    this.emit('session-exited', { code: exit.code, signal: exit.signal });
    for (const client of this.clients) client.end('exited', exit);
    this.clients.clear();
    this.sizeClient = undefined;
    this.finished = this.mirror
      .flushIndex()
      .catch(() => undefined)
      .then(() => this.recorder.finish());
    this.onExit.fire(exit);
  }

  private hasWritableClient(): boolean {
    for (const client of this.clients) if (!client.readOnly) return true;
    return false;
  }

  info(): SessionInfo {
    return describeSession(this.meta, this.deps.recordingError(), {
      agent: this.agent.current,
      pid: this.isRunning ? this.pid : null,
      mirror: { lagBytes: this.mirror.lag, fellBehind: this.mirror.fellBehind },
      sizeClient: this.sizeClient?.id ?? null,
      clients: [...this.clients].map((client) => ({
        id: client.id,
        readOnly: client.readOnly,
        cols: client.cols,
        rows: client.rows,
        attachedAt: client.attachedAt,
        lastActiveAt: client.lastActiveAt,
        queuedBytes: client.sink.bufferedBytes(),
        resyncs: client.resyncs,
      })),
    });
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
    this.record({ type: 'attach', client: client.id, readOnly: options.readOnly });
    this.emit('client-attached', { client: client.id, readOnly: options.readOnly });
    redrawAfterRepaint = !options.readOnly && !this.makeSizeOwner(client);
    client.sync();
    return client;
  }

  detach(client: AttachedClient, reason: DetachReason): void {
    if (!this.clients.delete(client)) return;
    client.end(reason);
    this.record({ type: 'detach', client: client.id, reason });
    this.emit('client-detached', { client: client.id });
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
    if (this.deps.recordInput) this.record({ type: 'input', data: data.toString('base64') });
    this.lastInputAt = Date.now();
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
    if (!this.isRunning || (cols === this.meta.cols && rows === this.meta.rows)) return false;
    this.meta.cols = cols;
    this.meta.rows = rows;
    this.pty.resize(cols, rows);
    this.mirror.resize(cols, rows);
    this.record({ type: 'resize', cols, rows });
    this.recorder.saveMeta();
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
    if (this.deps.recordInput) this.record({ type: 'input', data: bytes.toString('base64') });
    this.lastInputAt = Date.now();
    this.pty.write(bytes);
    return bytes.length;
  }

  setMuted(muted: boolean): void {
    this.meta.muted = muted;
    this.recorder.saveMeta();
  }

  /** Adds a marker to the timeline (replay can jump to it). */
  mark(label: string): void {
    this.record({ type: 'marker', label });
    this.emit('marker', { label });
  }

  /** The last lines of output the screen mirror holds, as of this call (`tail`). */
  tailText(lines: number): Promise<{ lines: string[]; partial: string; cursor: number }> {
    return this.mirror.tail(lines);
  }

  /** Stores what the recorder holds; resolves, once committed, with the output offset of this call. */
  async recorded(): Promise<number> {
    const offset = this.recorder.offset;
    this.recorder.seal();
    await this.recorder.committed();
    return offset;
  }

  screen(options: { ansi: boolean; scrollback: number }): Promise<ScreenText> {
    return this.mirror.text(options);
  }

  /** Sends `signal`; without one, hangs up and escalates to SIGTERM and SIGKILL until the program is gone. */
  kill(signal?: NodeJS.Signals): Promise<void> {
    if (!this.isRunning) return Promise.resolve();
    if (!signal || signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGHUP') this.killedOnPurpose = true;
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

/** `CCMUX_MIRROR_BACKLOG` (bytes): a smaller mirror backlog than the budget gives, for tests and small machines. */
export function mirrorBacklogFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.CCMUX_MIRROR_BACKLOG);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
