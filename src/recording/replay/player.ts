// The replay state machine: plays a recording's output with its timing (speed, idle cap), pauses,
// steps, seeks through keyframes and follows a live session. It owns no terminal: it writes to a
// ReplayOutput and reports changes, so its timing is testable with a fake clock.
import type { OutputChunk, RecordedEvent } from '../timeline';

/** Whatever `Player` reads a recording from (RecordingSource over the store, or a fake in tests). */
export interface ReplaySource {
  /** Offset of the oldest recorded byte (retention may have trimmed the start). */
  readonly firstOffset: number;
  /** Offset after the newest recorded byte, so far. */
  readonly endOffset: number;
  /** Time (ms since the session started) of the last thing recorded, so far. */
  readonly endTime: number;
  /** The timeline, ordered by time; appended to by `poll`. */
  readonly events: readonly RecordedEvent[];
  /** More may still be recorded: the session runs. */
  readonly live: boolean;
  /** The reads of the record holding the first recorded byte at or after `offset`; [] past the end. */
  chunksAt(offset: number): OutputChunk[];
  /** The first offset whose bytes were read after `time`. */
  timeToOffset(time: number): number;
  /** What puts a terminal into the state at `offset`. */
  screenAt(offset: number): ScreenAt;
  /** Picks up what was recorded since. */
  poll(): void;
}

export interface ScreenAt {
  /** A keyframe's bytes (they reset and clear the terminal first), or undefined: start from a clear screen. */
  screen: string | undefined;
  /** Output from the keyframe (or the recording's start) up to the offset. */
  catchUp: Buffer;
}

export interface ReplayOutput {
  write(data: Buffer): void;
  /** Replaces the whole screen at once (seek, step, and leaving the paused state). */
  repaint(at: ScreenAt): void;
}

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PlayerOptions {
  speed: number;
  /** Every gap is played as at most this many ms (asciinema's idle time limit). */
  idleLimit?: number | undefined;
  /** Where to start, ms since the session started. */
  from: number;
  /** Where to stop, ms since the session started. */
  to?: number | undefined;
  clock?: Clock;
}

export type PlayerChange =
  | { type: 'state' }
  /** An event was played past, or jumped to with `]`. */
  | { type: 'event'; event: RecordedEvent; jumped: boolean }
  | { type: 'no-more-events' };

export interface PlayerStatus {
  time: number;
  total: number;
  speed: number;
  playing: boolean;
  /** Nothing left to play (and nothing more will be recorded). */
  atEnd: boolean;
}

export type PlayerEnd = 'end' | 'quit';

/** Events `]` jumps to; titles (spinners), input and every working/idle flip would make it useless. */
export const JUMP_EVENTS: ReadonlySet<string> = new Set(['marker', 'notification', 'resize', 'bell', 'exit', 'lost']);

/** Whether `]` stops at this event: the kinds above, and an agent asking for input ("needs-input #3"). */
export function isJumpTarget(event: { type: string; to?: unknown }): boolean {
  return JUMP_EVENTS.has(event.type) || (event.type === 'state' && event.to === 'needs-input');
}
export const MIN_SPEED = 1 / 64;
export const MAX_SPEED = 64;
/** Output written per turn of the event loop while catching up, so that keys still get through. */
const BATCH_BYTES = 256 * 1024;
/** How often the live edge of a running session is polled. */
const POLL_MS = 75;
const MAX_WAIT_MS = 60_000;

type Item = { kind: 'output'; time: number; chunk: OutputChunk } | { kind: 'event'; time: number; event: RecordedEvent };

export class Player {
  speed: number;
  private playing = false;
  private finished = false;
  /** The next output byte to play. */
  private offset = 0;
  /** Upcoming chunks from `offset` (the rest of one record). */
  private queue: OutputChunk[] = [];
  private eventIndex = 0;
  /** Recording time of the last item played (or of the seek target). */
  private lastTime = 0;
  /** Playback time of the last item: recording time with every gap capped at the idle limit. */
  private lastAdj = 0;
  private anchorAdj = 0;
  private anchorWall = 0;
  private timer: unknown;
  private readonly clock: Clock;
  private resolveDone: (end: PlayerEnd) => void = () => {};
  readonly done = new Promise<PlayerEnd>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly source: ReplaySource,
    private readonly output: ReplayOutput,
    private readonly options: PlayerOptions,
    private readonly onChange: (change: PlayerChange) => void = () => {},
  ) {
    this.speed = options.speed;
    this.clock = options.clock ?? REAL_CLOCK;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Shows the screen at `from` and plays from there. */
  start(): void {
    this.seekTo(this.options.from, false);
    this.playing = true;
    this.anchorWall = this.clock.now();
    this.schedule(0);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.resume();
  }

  pause(): void {
    if (!this.playing || this.finished) return;
    this.anchor();
    this.playing = false;
    this.cancel();
    this.onChange({ type: 'state' });
  }

  /** Resumes, repainting first: whatever was drawn over the paused screen goes. */
  resume(): void {
    if (this.playing || this.finished) return;
    this.redraw();
    this.playing = true;
    this.anchorWall = this.clock.now();
    this.onChange({ type: 'state' });
    this.schedule(0);
  }

  /** While paused: plays the events up to the next output read, and that read. */
  step(): void {
    if (this.playing || this.finished) return;
    let item = this.peek();
    if (!item && this.source.live) {
      this.source.poll();
      item = this.peek();
    }
    const passed: RecordedEvent[] = [];
    while (item && !this.pastTo(item)) {
      this.take(item);
      if (item.kind === 'output') break;
      passed.push(item.event);
      item = this.peek();
    }
    // Resume from exactly here: playback time = that of the item just played.
    this.anchorAdj = this.lastAdj;
    this.output.repaint(this.source.screenAt(this.offset));
    for (const event of passed) this.onChange({ type: 'event', event, jumped: false });
    this.onChange({ type: 'state' });
  }

  setSpeed(speed: number): void {
    this.anchor();
    this.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
    this.onChange({ type: 'state' });
    if (this.playing) this.schedule(0);
  }

  seekBy(deltaMs: number): void {
    this.seekTo(this.currentTime() + deltaMs);
  }

  /** Shows the screen at `time` at once: the keyframe before it, then the output up to it. */
  seekTo(target: number, notify = true): void {
    if (this.finished) return;
    const time = Math.max(0, Math.min(target, this.lastPlayableTime()));
    this.offset = this.source.timeToOffset(time);
    this.queue = [];
    this.output.repaint(this.source.screenAt(this.offset));
    const events = this.source.events;
    this.eventIndex = 0;
    while (this.eventIndex < events.length && events[this.eventIndex]!.t <= time) this.eventIndex++;
    this.lastTime = time;
    this.anchor();
    this.lastAdj = this.anchorAdj;
    if (notify) this.onChange({ type: 'state' });
    if (this.playing) this.schedule(0);
  }

  /** `]`: jumps to the next marker, agent state change, notification, resize, bell, exit or loss. */
  nextEvent(): void {
    if (this.finished) return;
    const from = this.currentTime();
    const find = () => this.source.events.find((event) => isJumpTarget(event) && event.t > from);
    let event = find();
    if (!event && this.source.live) {
      this.source.poll();
      event = find();
    }
    if (!event || (this.options.to !== undefined && event.t > this.options.to)) {
      this.onChange({ type: 'no-more-events' });
      return;
    }
    this.seekTo(event.t);
    this.onChange({ type: 'event', event, jumped: true });
  }

  /** Repaints the screen as it should be now (the user's terminal was resized, or drawn over). */
  redraw(): void {
    if (!this.finished) this.output.repaint(this.source.screenAt(this.offset));
  }

  quit(): void {
    this.finish('quit');
  }

  /** Recording time on screen now. */
  currentTime(): number {
    let time = this.lastTime + Math.max(0, this.playbackNow() - this.lastAdj);
    const next = this.peek();
    time = Math.min(time, next ? next.time : Math.max(this.lastTime, this.source.endTime));
    return this.options.to === undefined ? time : Math.min(time, this.options.to);
  }

  status(): PlayerStatus {
    const next = this.peek();
    return {
      time: this.currentTime(),
      total: this.lastPlayableTime(),
      speed: this.speed,
      playing: this.playing,
      atEnd: next ? this.pastTo(next) : !this.source.live,
    };
  }

  private lastPlayableTime(): number {
    return Math.min(this.options.to ?? Infinity, this.source.endTime);
  }

  /** Playback time now: recording time as played, with every gap capped at the idle limit. */
  private playbackNow(): number {
    return this.playing ? this.anchorAdj + (this.clock.now() - this.anchorWall) * this.speed : this.anchorAdj;
  }

  private anchor(): void {
    this.anchorAdj = this.playbackNow();
    this.anchorWall = this.clock.now();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.playing || this.finished) return;
    const now = this.playbackNow();
    let parts: Buffer[] = [];
    let bytes = 0;
    const flush = () => {
      if (parts.length) this.output.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      parts = [];
    };
    for (let item = this.peek(); item && !this.pastTo(item) && this.dueAt(item) <= now; item = this.peek()) {
      this.take(item);
      if (item.kind === 'event') {
        flush();
        this.onChange({ type: 'event', event: item.event, jumped: false });
        if (!this.playing || this.finished) return;
        continue;
      }
      parts.push(item.chunk.data);
      bytes += item.chunk.data.length;
      if (bytes >= BATCH_BYTES) {
        flush();
        this.schedule(0);
        return;
      }
    }
    flush();
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const item = this.peek();
    if (!item) {
      if (!this.source.live) return this.finish('end');
      this.timer = this.clock.setTimeout(() => {
        this.source.poll();
        const arrived = this.peek();
        if (arrived) {
          // Caught up with a running session: play what arrives now, not after the lag replay started with.
          this.lastTime = Math.max(this.lastTime, arrived.time);
          this.lastAdj = this.playbackNow();
        }
        this.tick();
      }, POLL_MS);
      return;
    }
    if (this.pastTo(item)) return this.finish('end');
    // Long gaps are waited for in slices: timers cannot wait longer than 2^31 ms.
    this.schedule(Math.min(MAX_WAIT_MS, (this.dueAt(item) - this.playbackNow()) / this.speed));
  }

  private schedule(ms: number): void {
    this.cancel();
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, ms));
  }

  private cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The next output read or event, whichever comes first. */
  private peek(): Item | undefined {
    if (!this.queue.length) this.queue = this.source.chunksAt(this.offset);
    const chunk = this.queue[0];
    const event = this.source.events[this.eventIndex];
    if (event && (!chunk || event.t <= chunk.time)) return { kind: 'event', time: event.t, event };
    return chunk && { kind: 'output', time: chunk.time, chunk };
  }

  private take(item: Item): void {
    this.lastAdj = this.dueAt(item);
    this.lastTime = Math.max(this.lastTime, item.time);
    if (item.kind === 'event') {
      this.eventIndex++;
      return;
    }
    this.queue.shift();
    this.offset = item.chunk.offset + item.chunk.data.length;
  }

  /** Playback time at which `item` is due: the gap since the last item, capped at the idle limit. */
  private dueAt(item: Item): number {
    const gap = Math.max(0, item.time - this.lastTime);
    return this.lastAdj + Math.min(gap, this.options.idleLimit ?? Infinity);
  }

  private pastTo(item: Item): boolean {
    return this.options.to !== undefined && item.time > this.options.to;
  }

  private finish(end: PlayerEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.playing = false;
    this.cancel();
    this.resolveDone(end);
  }
}
