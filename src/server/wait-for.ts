// `wait`: resolves when a session exits, goes quiet, or shows a pattern — or reports timeout / gone.
import { CcmuxError } from '../errors';
import type { RequestArgs, WaitOutcome } from '../protocol/requests';
import type { Disposable } from '../util/emitter';
import type { Session } from './session';

/** How often a `match` wait re-reads the screen while output flows. */
const MATCH_INTERVAL_MS = 50;
/** Input sent within this long keeps `--until idle` waiting: the agent has not taken it yet. */
const INPUT_SETTLE_MS = 1000;
/** Lines above the visible screen that a `match` also searches, so fast output cannot scroll past it. */
const MATCH_SCROLLBACK = 200;

export function compilePattern(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new CcmuxError('bad-request', `bad pattern: ${(error as Error).message}`);
  }
}

export function waitFor(session: Session, args: RequestArgs<'wait'>, cancelled: AbortSignal): Promise<WaitOutcome> {
  const regex = args.until === 'match' ? compilePattern(args.pattern ?? '', args.flags) : undefined;
  if (args.until === 'match' && !args.pattern) throw new CcmuxError('bad-request', 'wait --until match needs a pattern');
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    let done = false;
    const finish = (outcome: WaitOutcome) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      resolve(outcome);
    };
    const hold = (disposable: Disposable) => cleanups.push(() => disposable.dispose());
    const timers = new Set<NodeJS.Timeout>();
    cleanups.push(() => timers.forEach(clearTimeout));
    const timer = (ms: number, callback: () => void) => {
      const handle = setTimeout(callback, ms);
      timers.add(handle);
      return handle;
    };

    const onCancel = () => finish('gone');
    cancelled.addEventListener('abort', onCancel);
    cleanups.push(() => cancelled.removeEventListener('abort', onCancel));
    if (args.timeoutSeconds !== undefined) timer(args.timeoutSeconds * 1000, () => finish('timeout'));

    switch (args.until) {
      case 'exit':
        if (!session.isRunning) return finish('met');
        hold(session.onExit.on(() => finish('met')));
        return;
      case 'idle':
      case 'needs-input':
      case 'working': {
        if (!session.isRunning) return finish('gone');
        const wanted = args.until;
        // Right after input an agent has not reported taking it yet: idle then is not "done".
        const check = () => {
          if (session.agentStatus.state !== wanted) return;
          if (wanted === 'idle' && session.inputWithin(INPUT_SETTLE_MS)) {
            timer(INPUT_SETTLE_MS, check);
            return;
          }
          finish('met');
        };
        hold(session.onAgentState.on(check));
        hold(session.onExit.on(() => finish('gone')));
        check();
        return;
      }
      case 'quiet': {
        if (!session.isRunning) return finish('gone');
        const quietMs = args.idleSeconds * 1000;
        const quietSoFar = Date.now() - (session.meta.lastOutputAt ?? session.meta.createdAt);
        let idleTimer = timer(Math.max(0, quietMs - quietSoFar), () => finish('met'));
        let rearmed = false;
        hold(
          session.onOutput.on(() => {
            if (rearmed) {
              idleTimer.refresh();
              return;
            }
            clearTimeout(idleTimer);
            idleTimer = timer(quietMs, () => finish('met'));
            rearmed = true;
          }),
        );
        hold(session.onExit.on(() => finish('gone')));
        return;
      }
      case 'match': {
        let checking = false;
        let again = false;
        let scheduled = false;
        const check = async (): Promise<void> => {
          if (checking) {
            again = true;
            return;
          }
          checking = true;
          try {
            const screen = await session.screen({ ansi: false, scrollback: MATCH_SCROLLBACK });
            if (regex!.test(screen.text)) finish('met');
          } catch {
            // The mirror restarted; the next output checks again.
          }
          checking = false;
          if (again && !done) {
            again = false;
            await check();
          }
        };
        let pending: NodeJS.Timeout | undefined;
        cleanups.push(() => clearTimeout(pending));
        const schedule = () => {
          if (scheduled || done) return;
          scheduled = true;
          pending = setTimeout(() => {
            scheduled = false;
            void check();
          }, MATCH_INTERVAL_MS);
        };
        hold(session.onOutput.on(schedule));
        hold(session.onExit.on(() => void check().then(() => finish('gone'))));
        void check().then(() => {
          if (!session.isRunning) finish('gone');
        });
        return;
      }
    }
  });
}
