// The replay player's timing and seeking on a fake clock: speed, idle cap, pause, step, seek, markers, --to, live.
import { describe, expect, it } from 'vitest';
import { Player, type Clock, type PlayerChange, type ReplayOutput, type ReplaySource, type ScreenAt } from '../../src/recording/replay/player';
import { largestSize } from '../../src/recording/replay/recording-size';
import type { OutputChunk, RecordedEvent } from '../../src/recording/timeline';

class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, run });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; run: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].run();
    }
    this.time = end;
  }
}

/** A recording held in memory: one chunk per (time, text). */
class FakeSource implements ReplaySource {
  firstOffset = 0;
  live = false;
  polls = 0;
  readonly chunks: OutputChunk[] = [];
  readonly events: RecordedEvent[] = [];

  constructor(output: [number, string][], events: RecordedEvent[] = []) {
    for (const [time, text] of output) this.add(time, text);
    this.events.push(...events);
  }

  add(time: number, text: string): void {
    this.chunks.push({ time, offset: this.endOffset, data: Buffer.from(text) });
  }

  get endOffset(): number {
    const last = this.chunks.at(-1);
    return last ? last.offset + last.data.length : 0;
  }

  get endTime(): number {
    return Math.max(this.chunks.at(-1)?.time ?? 0, ...this.events.map((event) => event.t));
  }

  chunksAt(offset: number): OutputChunk[] {
    return this.chunks.filter((chunk) => chunk.offset >= offset);
  }

  timeToOffset(time: number): number {
    return this.chunks.filter((chunk) => chunk.time <= time).reduce((sum, chunk) => sum + chunk.data.length, 0);
  }

  screenAt(offset: number): ScreenAt {
    const all = Buffer.concat(this.chunks.map((chunk) => chunk.data));
    return { screen: undefined, catchUp: all.subarray(0, offset) };
  }

  poll(): void {
    this.polls++;
  }
}

/** What reached the terminal: output with its (fake) time, and repaints with the screen they show. */
class Recorder implements ReplayOutput {
  writes: { at: number; text: string }[] = [];
  repaints: string[] = [];
  constructor(private readonly clock: FakeClock) {}

  write(data: Buffer): void {
    this.writes.push({ at: this.clock.time, text: data.toString() });
  }

  repaint(at: ScreenAt): void {
    this.repaints.push(at.catchUp.toString());
  }

  text(): string {
    return this.writes.map((write) => write.text).join('');
  }
}

interface Setup {
  speed?: number;
  idleLimit?: number;
  from?: number;
  to?: number;
  events?: RecordedEvent[];
  onChange?: (change: PlayerChange) => void;
}

function setup(output: [number, string][], options: Setup = {}) {
  const clock = new FakeClock();
  const source = new FakeSource(output, options.events);
  const out = new Recorder(clock);
  const playerOptions = { speed: options.speed ?? 1, idleLimit: options.idleLimit, from: options.from ?? 0, to: options.to, clock };
  const player = new Player(source, out, playerOptions, options.onChange);
  return { clock, source, out, player };
}

const ABC: [number, string][] = [
  [100, 'A'],
  [1100, 'B'],
  [2100, 'C'],
];

describe('replay player', () => {
  it('plays each output read at its recorded time, scaled by the speed', async () => {
    for (const speed of [1, 4, 0.5]) {
      const { clock, out, player } = setup(ABC, { speed });
      player.start();
      clock.advance(10_000);
      expect(out.writes).toEqual([
        { at: 100 / speed, text: 'A' },
        { at: 1100 / speed, text: 'B' },
        { at: 2100 / speed, text: 'C' },
      ]);
      expect(await player.done).toBe('end');
    }
  });

  it('caps every gap at the idle limit', () => {
    const { clock, out, player } = setup(ABC, { idleLimit: 200 });
    player.start();
    clock.advance(10_000);
    expect(out.writes.map((write) => write.at)).toEqual([100, 300, 500]);
  });

  it('pauses and resumes where it was, repainting the screen on resume', () => {
    const { clock, out, player } = setup(ABC);
    player.start();
    clock.advance(600);
    player.pause();
    expect(player.status()).toMatchObject({ playing: false, time: 600 });
    clock.advance(5000);
    expect(out.text()).toBe('A');
    player.resume();
    expect(out.repaints.at(-1)).toBe('A');
    clock.advance(499);
    expect(out.text()).toBe('A');
    clock.advance(1);
    expect(out.text()).toBe('AB');
    expect(out.writes.at(-1)!.at).toBe(6100);
  });

  it('steps one read at a time while paused, and plays on from the step', () => {
    const { clock, out, player } = setup(ABC);
    player.start();
    player.pause();
    player.step();
    expect(out.repaints.at(-1)).toBe('A');
    player.step();
    expect(out.repaints.at(-1)).toBe('AB');
    expect(player.status().time).toBe(1100);
    player.resume();
    clock.advance(999);
    expect(out.text()).toBe('');
    clock.advance(1);
    expect(out.text()).toBe('C');
  });

  it('seeks to the screen at a time and plays on from there; clamps to the recording', () => {
    const { clock, out, player } = setup(ABC);
    player.start();
    player.seekTo(1500);
    expect(out.repaints.at(-1)).toBe('AB');
    clock.advance(599);
    expect(out.text()).toBe('');
    clock.advance(1);
    expect(out.text()).toBe('C');

    const paused = setup(ABC);
    paused.player.start();
    paused.clock.advance(1500);
    paused.player.pause();
    paused.player.seekBy(-5000);
    expect(paused.out.repaints.at(-1)).toBe('');
    expect(paused.player.currentTime()).toBe(0);
    paused.player.seekBy(+99_000);
    expect(paused.out.repaints.at(-1)).toBe('ABC');
    expect(paused.player.status()).toMatchObject({ time: 2100, total: 2100, atEnd: true, playing: false });
  });

  it('starts at --from and stops after --to', async () => {
    const { clock, out, player } = setup(ABC, { from: 1000, to: 1500 });
    player.start();
    expect(out.repaints).toEqual(['A']);
    clock.advance(100);
    expect(out.text()).toBe('B');
    expect(await player.done).toBe('end');
  });

  it('] jumps to the next marker, resize, bell or exit, skipping titles', () => {
    const events: RecordedEvent[] = [
      { t: 0, type: 'start', cols: 80, rows: 24 },
      { t: 500, type: 'title', title: 'x' },
      { t: 1500, type: 'marker', label: 'here' },
      { t: 2100, type: 'exit', code: 0 },
    ];
    const changes: string[] = [];
    const { out, player } = setup(ABC, {
      events,
      onChange: (change) => {
        if (change.type === 'event') changes.push(`${change.event.type}${change.jumped ? '!' : ''}`);
        if (change.type === 'no-more-events') changes.push('none');
      },
    });
    player.start();
    player.pause();
    player.nextEvent();
    expect(out.repaints.at(-1)).toBe('AB');
    expect(player.currentTime()).toBe(1500);
    player.nextEvent();
    expect(out.repaints.at(-1)).toBe('ABC');
    player.nextEvent();
    expect(changes).toEqual(['marker!', 'exit!', 'none']);
  });

  it('reports events as playback passes them, after the output before them', () => {
    const seen: string[] = [];
    const { clock, out, player } = setup(ABC, {
      events: [{ t: 1200, type: 'resize', cols: 120, rows: 40 }],
      onChange: (change) => {
        if (change.type === 'event') seen.push(`${out.text()}|${change.event.type}`);
      },
    });
    player.start();
    clock.advance(5000);
    expect(seen).toEqual(['AB|resize']);
    expect(out.text()).toBe('ABC');
  });

  it('follows a live recording: polls at the end, plays what arrives, ends when the session does', async () => {
    const { clock, source, out, player } = setup([[100, 'A']]);
    source.live = true;
    player.start();
    clock.advance(1000);
    expect(out.text()).toBe('A');
    expect(source.polls).toBeGreaterThan(5);
    source.add(1050, 'B');
    clock.advance(100);
    expect(out.text()).toBe('AB');
    source.live = false;
    clock.advance(100);
    expect(await player.done).toBe('end');
  });

  it('plays what a running session prints as it arrives once caught up, keeping the gaps within it', () => {
    const { clock, source, out, player } = setup([[100, 'A']]);
    source.live = true;
    player.start();
    clock.advance(60_000);
    source.add(59_950, 'B');
    source.add(60_150, 'C');
    clock.advance(75);
    expect(out.writes.at(-1)!.text).toBe('B');
    const arrivedAt = out.writes.at(-1)!.at;
    clock.advance(300);
    expect(out.writes.at(-1)).toEqual({ at: arrivedAt + 200, text: 'C' });
  });

  it('changes speed mid-play without jumping', () => {
    const { clock, out, player } = setup(ABC);
    player.start();
    clock.advance(600);
    player.setSpeed(2);
    clock.advance(249);
    expect(out.text()).toBe('A');
    clock.advance(1);
    expect(out.text()).toBe('AB');
  });

  it('knows the largest size a recording takes between two times', () => {
    const events: RecordedEvent[] = [
      { t: 0, type: 'start', cols: 80, rows: 24 },
      { t: 100, type: 'resize', cols: 200, rows: 20 },
      { t: 200, type: 'resize', cols: 90, rows: 50 },
    ];
    expect(largestSize(events, 0, Infinity, { cols: 1, rows: 1 })).toEqual({ cols: 200, rows: 50 });
    expect(largestSize(events, 0, 150, { cols: 1, rows: 1 })).toEqual({ cols: 200, rows: 24 });
    expect(largestSize(events, 250, Infinity, { cols: 1, rows: 1 })).toEqual({ cols: 90, rows: 50 });
  });
});
