// One client attached to a session: its output queue, with a fresh repaint instead of unbounded buffering.
import type { DetachReason, ExitInfo } from '../protocol/messages';

/** What a session needs from a client connection, whatever the transport (unix socket or WebSocket). */
export interface ClientSink {
  readonly id: number;
  sendOutput(data: Buffer): void;
  /** Bytes queued in user space for this client and not yet taken by the kernel. */
  bufferedBytes(): number;
  onDrain(callback: () => void): void;
  attachEnded(reason: DetachReason, exit?: ExitInfo): void;
}

/** A client whose queue passes this stops getting output until it drains; then it gets a repaint. */
export const CLIENT_HIGH_WATER = 4 * 1024 * 1024;
/** Output arriving while a repaint is being prepared; past this the repaint is redone. */
const SYNC_PENDING_CAP = 32 * 1024 * 1024;

type Phase = 'syncing' | 'live' | 'stale' | 'ended';

export class AttachedClient {
  private phase: Phase = 'syncing';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;
  private endAfterSync: { reason: DetachReason; exit?: ExitInfo } | undefined;
  /** Live output of this turn of the event loop, sent as one frame when the turn ends. */
  private outbox: Buffer[] = [];
  private outboxTimer: NodeJS.Immediate | undefined;
  readonly attachedAt = Date.now();
  lastActiveAt = Date.now();
  /** Times this client was dropped behind and repainted (observable in tests and logs). */
  resyncs = 0;

  constructor(
    readonly sink: ClientSink,
    readonly readOnly: boolean,
    public cols: number,
    public rows: number,
    /** Produces the bytes that repaint the screen as of the moment it is called. */
    private readonly repaint: () => Promise<string>,
  ) {}

  get id(): number {
    return this.sink.id;
  }

  /** Starts (or restarts) delivery with a repaint of the current screen. */
  sync(): void {
    if (this.phase === 'ended') return;
    this.phase = 'syncing';
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowed = false;
    this.repaint().then(
      (screen) => this.synced(screen),
      () => this.synced(undefined),
    );
  }

  private synced(screen: string | undefined): void {
    if (this.phase !== 'syncing') return;
    if (this.overflowed) {
      this.sync();
      return;
    }
    if (screen !== undefined) this.sink.sendOutput(Buffer.from(screen, 'utf8'));
    if (this.pendingBytes > CLIENT_HIGH_WATER && !this.endAfterSync) {
      // More arrived while the screen was drawn than a client may have queued: draw it again instead.
      this.sync();
      return;
    }
    for (const chunk of this.pending) this.sink.sendOutput(chunk);
    this.pending = [];
    this.pendingBytes = 0;
    this.phase = 'live';
    if (this.endAfterSync) this.end(this.endAfterSync.reason, this.endAfterSync.exit);
  }

  deliver(chunk: Buffer): void {
    switch (this.phase) {
      case 'live':
        if (this.sink.bufferedBytes() > CLIENT_HIGH_WATER) {
          // Never let a slow reader grow our memory or slow the program: drop, repaint when it drains.
          this.phase = 'stale';
          this.resyncs++;
          this.sink.onDrain(() => this.sync());
          return;
        }
        // The PTY is read 4 KiB at a time, often many reads per turn: one frame (one write, one wake-up of the
        // client) per turn instead of one per read, without delaying a lone keystroke's echo.
        this.outbox.push(chunk);
        this.outboxTimer ??= setImmediate(() => this.sendOutbox());
        return;
      case 'syncing':
        if (this.overflowed) return;
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes > SYNC_PENDING_CAP) {
          this.overflowed = true;
          this.pending = [];
          this.pendingBytes = 0;
        }
        return;
      case 'stale':
      case 'ended':
        return;
    }
  }

  private sendOutbox(): void {
    clearImmediate(this.outboxTimer);
    this.outboxTimer = undefined;
    const chunks = this.outbox;
    if (!chunks.length) return;
    this.outbox = [];
    this.sink.sendOutput(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }

  /** Ends the attachment once any repaint in flight has been delivered. */
  end(reason: DetachReason, exit?: ExitInfo): void {
    if (this.phase === 'ended') return;
    this.sendOutbox();
    if (this.phase === 'syncing') {
      this.endAfterSync = exit ? { reason, exit } : { reason };
      return;
    }
    this.phase = 'ended';
    this.sink.attachEnded(reason, exit);
  }
}
