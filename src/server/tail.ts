// The daemon's side of `ccmux tail`: a session's last lines — from its screen mirror while it runs, from
// the store once it ended — and, with follow, its output from exactly there on, until it ends.
import type { ServerMessage } from '../protocol/messages';
import type { RequestArgs, TailResult } from '../protocol/requests';
import { lastIndexedLines, lastRawLines } from '../recording/tail';
import type { Disposable } from '../util/emitter';
import type { DaemonServices, RequestContext } from './request-handlers';
import { Session } from './session';

/** A follower with this much queued on its socket is stopped: a slow reader never holds a session back. */
const MAX_BEHIND_BYTES = 8 * 1024 * 1024;
/** Output frames are cut to this size (the frame limit is 8 MiB). */
const FRAME_BYTES = 1024 * 1024;

function sendBytes(context: RequestContext, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; at += FRAME_BYTES) context.sink.sendOutput(bytes.subarray(at, at + FRAME_BYTES));
}

/**
 * Subscribes at once, so nothing is missed or repeated between the snapshot and the live output:
 * output and the end are queued until `start()`, then forwarded as they come.
 */
class Follower {
  private queue: (Buffer | ServerMessage)[] | undefined = [];
  private readonly subscriptions: Disposable[];
  private stopped = false;

  constructor(
    session: Session,
    private readonly context: RequestContext,
  ) {
    this.subscriptions = [
      session.onOutput.on((data) => this.deliver(data)),
      session.onExit.on((exit) => this.deliver({ type: 'tail-end', reason: 'exited', exit })),
    ];
    context.closed.addEventListener('abort', () => this.stop(), { once: true });
  }

  start(): void {
    const queued = this.queue ?? [];
    this.queue = undefined;
    for (const item of queued) this.deliver(item);
  }

  private deliver(item: Buffer | ServerMessage): void {
    if (this.stopped) return;
    if (this.queue) {
      this.queue.push(item);
      return;
    }
    if (!Buffer.isBuffer(item)) {
      this.context.send(item);
      this.stop();
      return;
    }
    if (this.context.sink.bufferedBytes() > MAX_BEHIND_BYTES) {
      this.context.send({ type: 'tail-end', reason: 'behind' });
      this.stop();
      return;
    }
    sendBytes(this.context, item);
  }

  stop(): void {
    this.stopped = true;
    this.queue = undefined;
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

export async function tail(args: RequestArgs<'tail'>, context: RequestContext, services: DaemonServices): Promise<TailResult> {
  const session = services.registry.resolve(args.session);
  const result: TailResult = { session: session.info(), lines: [], partial: '', cursor: 0, rawBytes: 0, following: false };
  if (!(session instanceof Session) || !session.isRunning) {
    // Ended: everything it printed is in the store once its recording is finished.
    if (session instanceof Session) await session.finished;
    const store = services.recording.store;
    if (args.raw) {
      const bytes = lastRawLines(store, session.id, args.lines);
      sendBytes(context, bytes);
      result.rawBytes = bytes.length;
    } else {
      result.lines = lastIndexedLines(store, session.id, args.lines);
    }
    return { ...result, session: session.info() };
  }
  // Running: the snapshot and the subscription start in the same tick, at the same output offset.
  const follower = args.follow ? new Follower(session, context) : undefined;
  try {
    if (args.raw) {
      const end = await session.recorded();
      const bytes = lastRawLines(services.recording.store, session.id, args.lines, end);
      sendBytes(context, bytes);
      result.rawBytes = bytes.length;
    } else {
      Object.assign(result, await session.tailText(args.lines));
    }
  } catch (error) {
    follower?.stop();
    throw error;
  }
  follower?.start();
  return { ...result, following: Boolean(follower) };
}
