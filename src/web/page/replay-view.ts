// Replay of any session (running, exited, lost) with asciinema-player: the recording comes from the
// daemon as asciicast v3; speed, seeking, and the session's markers as a list to jump to.
import { create, type Player } from 'asciinema-player';
import type { SessionInfo } from '../../protocol/requests';
import { formatClock as clock } from '../../util/duration';
import { el } from './dom';

export interface ReplayViewOptions {
  session: SessionInfo;
  /** Seconds since the session started to open at (a search hit), paused there. */
  at?: number;
  onLive(): void;
  onClose(): void;
}

interface Marker {
  time: number;
  label: string;
}

const SPEEDS = [0.5, 1, 2, 4, 8, 16];

/** Marker times from a v3 cast (intervals add up; `#` lines are comments). */
function castMarkers(cast: string): Marker[] {
  const markers: Marker[] = [];
  let time = 0;
  for (const line of cast.split('\n').slice(1)) {
    if (!line.startsWith('[')) continue;
    const [interval, code, data] = JSON.parse(line) as [number, string, string];
    time += interval;
    if (code === 'm') markers.push({ time, label: data });
  }
  return markers;
}

export class ReplayView {
  readonly element: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly markerList: HTMLElement;
  private readonly speed: HTMLSelectElement;
  private player: Player | undefined;
  private cast: string | undefined;
  private disposed = false;

  constructor(private readonly options: ReplayViewOptions) {
    const { session } = options;
    this.stage = el('div', { class: 'replay-stage' }, el('p', { class: 'hint' }, 'Loading the recording…'));
    this.speed = el('select', { 'aria-label': 'speed', class: 'speed' });
    for (const speed of SPEEDS) this.speed.append(el('option', { value: String(speed), selected: speed === 1 }, `${speed}×`));
    this.speed.addEventListener('change', () => void this.restart());
    this.markerList = el('div', { class: 'markers' });
    const live = el('button', { type: 'button', class: 'live', hidden: session.state !== 'running' }, 'Live');
    live.addEventListener('click', () => options.onLive());
    const close = el('button', { type: 'button', class: 'close', 'aria-label': 'close' }, '✕');
    close.addEventListener('click', () => options.onClose());
    this.element = el(
      'section',
      { class: 'replay-view', 'data-session': session.id },
      el('div', { class: 'view-bar' }, el('strong', {}, session.name), el('span', { class: 'badge' }, `replay · ${session.state}`), this.speed, live, close),
      this.stage,
      this.markerList,
    );
  }

  async mounted(): Promise<void> {
    const response = await fetch(`/api/sessions/${encodeURIComponent(this.options.session.id)}/recording`, { credentials: 'same-origin', cache: 'no-store' });
    if (this.disposed) return;
    if (!response.ok) {
      this.stage.replaceChildren(el('p', { class: 'hint' }, `Cannot load the recording (${response.status}).`));
      return;
    }
    this.cast = await response.text();
    this.showMarkers(castMarkers(this.cast));
    const at = this.options.at;
    this.play(at ?? 0, at === undefined);
  }

  private showMarkers(markers: Marker[]): void {
    this.markerList.replaceChildren();
    for (const marker of markers) {
      const button = el('button', { type: 'button' }, `${clock(marker.time)} ${marker.label || 'marker'}`);
      button.addEventListener('click', () => void this.player?.seek(marker.time));
      this.markerList.append(button);
    }
  }

  private play(at: number, autoPlay: boolean): void {
    this.player?.dispose();
    this.stage.replaceChildren();
    // Paused at a moment: the poster shows the screen as it was then.
    this.player = create({ data: this.cast! }, this.stage, {
      autoPlay,
      startAt: at,
      ...(autoPlay ? {} : { poster: `npt:${at}` }),
      speed: Number(this.speed.value),
      fit: 'both',
      controls: true,
      terminalFontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    });
    this.stage.dataset.at = String(at);
    this.stage.dataset.state = autoPlay ? 'loading' : 'paused';
    for (const state of ['playing', 'pause', 'ended'] as const) {
      this.player.addEventListener(state, () => (this.stage.dataset.state = state === 'pause' ? 'paused' : state));
    }
  }

  /** A new speed: asciinema-player takes it at creation, so a new player continues where this one was. */
  private async restart(): Promise<void> {
    if (!this.player || this.cast === undefined) return;
    const at = await this.player.getCurrentTime();
    this.play(at, true);
  }

  dispose(): void {
    this.disposed = true;
    this.player?.dispose();
  }
}
