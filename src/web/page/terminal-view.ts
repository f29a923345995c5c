// A live session in xterm.js: its own WebSocket attached to the session. The daemon's repaint on attach
// shows the exact current screen; after a drop the channel re-attaches and the next repaint restores it.
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { Terminal } from '@xterm/xterm';
import type { ServerMessage } from '../../protocol/messages';
import type { SessionInfo } from '../../protocol/requests';
import { Channel, RequestError, type ChannelState } from './channel';
import { el } from './dom';

export interface TerminalViewOptions {
  session: SessionInfo;
  readOnly: boolean;
  onReplay(): void;
  onClose(): void;
  notify(title: string, body: string): void;
}

/** Keys a phone keyboard lacks, as the bytes a terminal sends for them. */
const KEYS: [string, string][] = [
  ['Esc', '\x1b'],
  ['Tab', '\t'],
  ['^C', '\x03'],
  ['^D', '\x04'],
  ['↑', '\x1b[A'],
  ['↓', '\x1b[B'],
  ['←', '\x1b[D'],
  ['→', '\x1b[C'],
];

const encoder = new TextEncoder();

export class TerminalView {
  readonly element: HTMLElement;
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly channel: Channel;
  private readonly screen: HTMLElement;
  private readonly status: HTMLElement;
  private readonly resizeObserver: ResizeObserver;
  private ended = false;

  constructor(private readonly options: TerminalViewOptions) {
    const { session, readOnly } = options;
    this.screen = el('div', { class: 'terminal-screen' });
    this.status = el('span', { class: 'view-status', 'data-state': 'connecting' }, 'connecting');
    const replay = el('button', { type: 'button', class: 'replay' }, 'Replay');
    replay.addEventListener('click', () => options.onReplay());
    const close = el('button', { type: 'button', class: 'close', 'aria-label': 'close' }, '✕');
    close.addEventListener('click', () => options.onClose());
    const keys = el('div', { class: 'key-bar', hidden: readOnly });
    for (const [label, bytes] of KEYS) {
      const key = el('button', { type: 'button', tabindex: '-1' }, label);
      // Keep the focus (and a phone's keyboard) on the terminal.
      key.addEventListener('mousedown', (event) => event.preventDefault());
      key.addEventListener('click', () => {
        this.channel.sendInput(encoder.encode(bytes));
        this.term.focus();
      });
      keys.append(key);
    }
    this.element = el(
      'section',
      { class: readOnly ? 'terminal-view read-only' : 'terminal-view', 'data-session': session.id },
      el('div', { class: 'view-bar' }, el('strong', {}, session.name), readOnly && el('span', { class: 'badge' }, 'read-only'), this.status, replay, close),
      this.screen,
      keys,
    );

    this.term = new Terminal({
      allowProposedApi: true,
      cursorBlink: !readOnly,
      disableStdin: readOnly,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      cols: session.cols,
      rows: session.rows,
      theme: { background: '#0d1014' },
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.channel = new Channel(
      {
        opened: () => this.attach(),
        output: (data) => this.term.write(data),
        message: (message) => this.onMessage(message),
        state: (state) => this.showState(state),
      },
      (channel) => channel.request('has', { session: session.id }),
    );
    this.term.onData((data) => this.channel.sendInput(encoder.encode(data)));
    this.term.onBinary((data) => this.channel.sendInput(Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff)));
    this.term.onResize(({ cols, rows }) => {
      this.screen.dataset.cols = String(cols);
      this.screen.dataset.rows = String(rows);
      if (!readOnly && this.channel.current === 'open') this.channel.sendControl({ type: 'attach-resize', cols, rows });
    });
    this.resizeObserver = new ResizeObserver(() => this.refit());
  }

  /** Call once the element is in the document (xterm measures its container). */
  mounted(): void {
    this.term.open(this.screen);
    this.refit();
    this.screen.dataset.cols = String(this.term.cols);
    this.screen.dataset.rows = String(this.term.rows);
    this.resizeObserver.observe(this.screen);
    this.term.focus();
  }

  private refit(): void {
    // A read-only viewer shows the session at its own size; it never resizes the program.
    if (this.options.readOnly || !this.term.element) return;
    const size = this.fit.proposeDimensions();
    if (size && size.cols > 1 && size.rows > 1 && (size.cols !== this.term.cols || size.rows !== this.term.rows)) this.fit.fit();
  }

  private async attach(): Promise<void> {
    if (this.ended) return;
    let info: SessionInfo;
    try {
      info = await this.channel.request('attach', { session: this.options.session.id, cols: this.term.cols, rows: this.term.rows });
    } catch (error) {
      // Lost connection: the next one attaches again. Refused (ended, removed, not allowed): say so and stop.
      if (error instanceof RequestError && error.code !== 'unavailable') this.end(error.message);
      return;
    }
    if (this.options.readOnly) this.follow(info);
  }

  private end(why: string): void {
    this.ended = true;
    this.term.write(`\r\n\x1b[7m[${why}]\x1b[0m\r\n`);
    this.channel.close();
    this.showState('closed', why);
  }

  /** The session changed (from the live list): a read-only viewer takes its size. */
  sessionChanged(info: SessionInfo): void {
    if (this.options.readOnly) this.follow(info);
  }

  private follow(info: SessionInfo): void {
    if (info.cols !== this.term.cols || info.rows !== this.term.rows) this.term.resize(info.cols, info.rows);
  }

  private onMessage(message: ServerMessage): void {
    if (message.type === 'notify') this.options.notify(message.title, message.body);
    if (message.type !== 'attach-end') return;
    const why: Record<string, string> = {
      exited: message.exit ? `exited (${message.exit.signal ? `signal ${message.exit.signal}` : `code ${message.exit.code}`})` : 'exited',
      removed: 'removed',
      others: 'detached by another client',
      client: 'detached',
      'server-exit': 'the daemon stopped',
    };
    // The daemon may come back (server-exit): keep trying; otherwise this view is over.
    if (message.reason !== 'server-exit') this.end(why[message.reason] ?? message.reason);
  }

  private showState(state: ChannelState, text?: string): void {
    if (this.ended && state !== 'closed') return;
    this.status.dataset.state = state;
    this.status.textContent = text ?? (state === 'open' ? 'live' : state);
  }

  /** Whether the channel has failed repeatedly (the app then checks the login). */
  get failures(): number {
    return this.channel.failures;
  }

  dispose(): void {
    this.ended = true;
    this.resizeObserver.disconnect();
    this.channel.close();
    this.term.dispose();
  }
}
