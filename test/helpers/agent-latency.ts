// How long an agent's signals take to become ccmux state and notifications, from a session's timeline
// (`ccmux export --format jsonl`: hook arrivals with their delay, state changes) and the times the
// notify plugin's command sink wrote down.

export interface TimelineEntry {
  t: number;
  type: string;
  event?: string;
  delayMs?: number;
  from?: string;
  to?: string;
  source?: string;
  waitingFor?: string | null;
  reason?: string;
}

export interface Notified {
  /** Epoch ms when the sink ran. */
  at: number;
  kind: string;
}

/** One prompt → permission → approval → answer cycle, as the test drove it (epoch ms). */
export interface Round {
  promptAt: number;
  approveAt: number;
  /** The next round's prompt, or Infinity. */
  endAt: number;
}

export interface Delays {
  hook: string;
  /** `ccmux hook` process start → the daemon has the report (the state a hook alone would set is set here). */
  delivery: number;
  /** Hook process start → the state change, from whichever signal came first (negative: before the hook). */
  stateChange: number;
  /** What made the change (`hook`, `osc7501`…). */
  source: string;
  /** Epoch ms of the state change. */
  changedAt: number;
  /** State change → the notify plugin's command sink ran, less the grace period of a "done" (undefined: no notification). */
  notification: number | undefined;
}

const WATCHED = [
  { hook: 'UserPromptSubmit', to: 'working', notify: undefined },
  { hook: 'PermissionRequest', to: 'needs-input', notify: 'needs-input' },
  { hook: 'Stop', to: 'idle', notify: 'done' },
] as const;

/**
 * The delays of each round; `createdAt` (epoch ms) turns timeline times into wall-clock times; `graceMs`
 * is the notify plugin's wait before it says "done" (the agent might carry on), taken out of that delay.
 */
export function roundDelays(timeline: TimelineEntry[], createdAt: number, notified: Notified[], rounds: Round[], graceMs: number): Delays[][] {
  return rounds.map((round) => {
    const inRound = (t: number) => createdAt + t >= round.promptAt && createdAt + t < round.endAt;
    const entries = timeline.filter((entry) => inRound(entry.t));
    let after = -Infinity;
    return WATCHED.map(({ hook, to, notify }) => {
      const report = entries.find((entry) => entry.type === 'hook' && entry.event === hook);
      // The state change of this step: the first one into the state after the previous step's.
      const change = entries.find((entry) => entry.type === 'state' && entry.to === to && entry.t > after);
      if (!report || report.delayMs === undefined || !change) throw new Error(`round at ${round.promptAt}: no ${hook} hook or no change to ${to}`);
      after = change.t;
      const firedAt = report.t - report.delayMs;
      const changedAt = createdAt + change.t;
      const sink = notify && notified.find((line) => line.kind === notify && line.at >= changedAt - 1 && line.at < round.endAt);
      return {
        hook,
        delivery: report.delayMs,
        stateChange: Math.round(change.t - firedAt),
        source: change.source ?? '',
        changedAt,
        notification: sink ? sink.at - Math.round(changedAt) - (notify === 'done' ? graceMs : 0) : undefined,
      };
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const stat = (values: number[]) => (values.length ? `${percentile(values, 50)} ms (p90 ${percentile(values, 90)})` : '—');

/**
 * Claude Code's own pace in each round, from the mock API's request times (epoch ms): what it waits
 * for (blocking hooks among it) between a key and the request it leads to, and from the answer to idle.
 */
export function paceTable(rounds: Round[], requests: { at: number; doneAt: number }[], delays: Delays[][]): string {
  const paces = rounds.map((round, index) => {
    const [first, second] = requests.filter((request) => request.at >= round.promptAt && request.at < round.endAt);
    if (!first || !second) throw new Error(`round at ${round.promptAt}: expected two API requests`);
    const idleAt = delays[index]!.find((row) => row.hook === 'Stop')!.changedAt;
    return [first.at - round.promptAt, second.at - round.approveAt, Math.round(idleAt - second.doneAt)];
  });
  const rows = ['prompt sent → its API request', 'approval sent → the next API request', 'answer streamed → idle'];
  return [`| Claude Code (${rounds.length} rounds) | median (p90) |`, '|---|---|', ...rows.map((row, index) => `| ${row} | ${stat(paces.map((pace) => pace[index]!))} |`)].join('\n');
}

/** A Markdown table: median and p90 (and the sources seen) of every delay over the rounds. */
export function delayTable(rounds: Delays[][]): string {
  const lines = [
    `| hook (${rounds.length} rounds) | hook → daemon | hook → state change | first signal | state change → notification |`,
    '|---|---|---|---|---|',
  ];
  for (const [index, { hook }] of WATCHED.entries()) {
    const rows = rounds.map((round) => round[index]!);
    const sources = [...new Set(rows.map((row) => row.source))].map((source) => `${source} ${rows.filter((row) => row.source === source).length}×`);
    const notifications = rows.map((row) => row.notification).filter((value): value is number => value !== undefined);
    lines.push(`| ${hook} | ${stat(rows.map((row) => row.delivery))} | ${stat(rows.map((row) => row.stateChange))} | ${sources.join(', ')} | ${stat(notifications)} |`);
  }
  return lines.join('\n');
}
