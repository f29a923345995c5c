// The page: a live session list (events stream + ls), one open view (live terminal or replay), the search
// box, and what the login allows. Its control channel reconnects by itself, as each terminal does.
import '@xterm/xterm/css/xterm.css';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import './app.css';
import type { SearchHit, SessionInfo } from '../../protocol/requests';
import { Channel, type ChannelState } from './channel';
import { el } from './dom';
import { exchangeToken, takeFragmentToken } from './login-exchange';
import { ReplayView } from './replay-view';
import { SearchView } from './search-view';
import { renderSessions } from './session-list';
import { TerminalView } from './terminal-view';

interface Me {
  kind: string;
  readOnly: boolean;
  session: string | null;
  sessionName: string | null;
  expiresAt: number | null;
}

type View = TerminalView | ReplayView;

/** Refresh of the list after events settle, and at least this often (for "output 5s ago"). */
const EVENT_SETTLE_MS = 150;
const REFRESH_MS = 5000;
/** A running session's last line is fetched again at most this often. */
const PREVIEW_MS = 2000;

class App {
  private sessions: SessionInfo[] = [];
  private readonly previews = new Map<string, string>();
  private readonly previewedAt = new Map<string, number | null>();
  private view: View | undefined;
  private refreshTimer: number | undefined;
  private readonly list = el('ul', { class: 'session-list', 'aria-label': 'sessions' });
  private readonly main = el('main', { class: 'view' });
  private readonly status = el('span', { class: 'connection', 'data-state': 'connecting', title: 'connection' }, 'connecting');
  private readonly toasts = el('div', { class: 'toasts', 'aria-live': 'polite' });
  private readonly root: HTMLElement;
  private readonly channel: Channel;
  private readonly search: SearchView;

  constructor(
    root: HTMLElement,
    private readonly me: Me,
  ) {
    this.root = root;
    this.search = new SearchView({
      search: (pattern) => this.channel.request('search', { pattern, ignoreCase: true, context: 0, limit: 100 }),
      open: (hit) => this.openHit(hit),
    });
    const logout = el('button', { type: 'button', class: 'logout' }, 'Log out');
    logout.addEventListener('click', () => void this.logout());
    const access = me.readOnly ? 'read-only' : 'full access';
    const header = el(
      'header',
      {},
      el('h1', {}, 'ccmux'),
      this.status,
      el('div', { class: 'search-box' }, this.search.input, this.search.results),
      el('span', { class: 'badge account' }, me.sessionName ? `${access} · ${me.sessionName}` : access),
      logout,
    );
    this.main.append(el('p', { class: 'hint' }, 'Pick a session.'));
    root.replaceChildren(header, el('div', { class: 'body' }, el('aside', {}, this.list), this.main), this.toasts);
    document.addEventListener('click', (event) => {
      if (!(event.target as Element).closest('.search-box')) this.search.hide();
    });
    this.channel = new Channel(
      {
        opened: () => this.subscribe(),
        message: (message) => {
          if (message.type === 'event') this.scheduleRefresh(EVENT_SETTLE_MS);
        },
        state: (state) => this.connectionState(state),
      },
      (channel) => channel.request('ls', {}),
    );
  }

  private async subscribe(): Promise<void> {
    await this.channel.request('events', {});
    await this.refresh();
  }

  private connectionState(state: ChannelState): void {
    this.status.dataset.state = state;
    this.status.textContent = state === 'open' ? 'live' : state;
    // A WebSocket refused at login looks like a dead network: ask the server which it is.
    if (state === 'reconnecting' && this.channel?.failures >= 3) void this.checkLogin();
  }

  private async checkLogin(): Promise<void> {
    const response = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
    if (response?.status === 401) location.replace('/');
  }

  private scheduleRefresh(delay: number): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refresh(), REFRESH_MS);
    try {
      this.sessions = await this.channel.request('ls', {});
    } catch {
      return;
    }
    this.render();
    const current = this.view && this.sessions.find((session) => session.id === this.view!.element.dataset.session);
    if (current && this.view instanceof TerminalView) this.view.sessionChanged(current);
    await this.updatePreviews();
  }

  private render(): void {
    renderSessions(this.list, this.sessions, this.previews, this.view?.element.dataset.session, {
      open: (session) => this.openTerminal(session),
      replay: (session) => this.openReplay(session),
    });
  }

  /** The last line each session printed, fetched again only when it printed since. */
  private async updatePreviews(): Promise<void> {
    let changed = false;
    for (const session of this.sessions) {
      const seen = this.previewedAt.get(session.id);
      if (seen !== undefined && (session.state !== 'running' || seen === session.lastOutputAt)) continue;
      if (seen !== undefined && seen !== null && session.lastOutputAt !== null && session.lastOutputAt - seen < PREVIEW_MS) continue;
      this.previewedAt.set(session.id, session.lastOutputAt);
      try {
        const screen = await this.channel.request('peek', { session: session.id });
        const lines = screen.text.split('\n').filter((line) => line.trim() !== '');
        this.previews.set(session.id, lines[lines.length - 1] ?? '');
        changed = true;
      } catch {
        // Gone meanwhile, or not allowed: no preview.
      }
    }
    if (changed) this.render();
  }

  private show(view: View): void {
    this.view?.dispose();
    this.view = view;
    this.main.replaceChildren(view.element);
    this.root.classList.add('viewing');
    void view.mounted();
    this.render();
  }

  private closeView(): void {
    this.view?.dispose();
    this.view = undefined;
    this.main.replaceChildren(el('p', { class: 'hint' }, 'Pick a session.'));
    this.root.classList.remove('viewing');
    this.render();
  }

  private openTerminal(session: SessionInfo): void {
    this.show(
      new TerminalView({
        session,
        readOnly: this.me.readOnly,
        onReplay: () => this.openReplay(session),
        onClose: () => this.closeView(),
        notify: (title, body) => this.toast(title, body),
      }),
    );
  }

  private openReplay(session: SessionInfo, at?: number): void {
    this.show(new ReplayView({ session, at, onLive: () => this.openTerminal(session), onClose: () => this.closeView() }));
  }

  private openHit(hit: SearchHit): void {
    const session = this.sessions.find((candidate) => candidate.id === hit.id);
    // A moment after the line began: its text is then on the screen.
    if (session) this.openReplay(session, hit.time + 0.2);
  }

  toast(title: string, body: string): void {
    const toast = el('div', { class: 'toast', role: 'status' }, el('strong', {}, title), body && el('div', {}, body));
    this.toasts.append(toast);
    window.setTimeout(() => toast.remove(), 8000);
  }

  private async logout(): Promise<void> {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    location.replace('/');
  }
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  // Opened with a new link while logged in: that link's login replaces this one.
  const token = takeFragmentToken();
  const failure = token === undefined ? undefined : await exchangeToken(token);
  const response = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) {
    location.replace('/');
    return;
  }
  const app = new App(root, (await response.json()) as Me);
  if (failure !== undefined) app.toast('That link did not work', failure);
  // A new link pasted into this tab changes only the fragment: its login replaces this one.
  window.addEventListener('hashchange', () => {
    const next = takeFragmentToken();
    if (next !== undefined) void exchangeToken(next).then((problem) => (problem === undefined ? location.reload() : app.toast('That link did not work', problem)));
  });
}

void main();
