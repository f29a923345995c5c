// A session's agent state (starting / working / needs-input / idle / exited / lost), from the most
// trusted signal available: the agent's own hooks and status reports first, then its title and
// notifications, then what is on the screen, then output timing, then the process exit.
import type { AgentState, AgentStateSource } from '../plugins/plugin-api';
import type { AgentRules, Transition } from './agent-rules';

/** How much each source is trusted; a weaker source cannot override a stronger one while it is fresh. */
const RANK: Record<AgentStateSource, number> = { hook: 4, osc7501: 4, title: 2, notification: 2, screen: 1, output: 0, process: 5 };
/** After this long without confirmation, a weaker source may override (e.g. an Esc interrupt fires no hook). */
const STALE_MS = 5000;
/** Generic programs: idle after this long without output. */
const GENERIC_IDLE_SECONDS = 2;

export interface AgentStatus {
  state: AgentState;
  since: number;
  reason: string;
  source: AgentStateSource;
  waitingFor: string | null;
  /** The rules in use (`claude-code`…), or null for a generic program. */
  agent: string | null;
}

export interface AgentChange {
  from: AgentState;
  to: AgentState;
  reason: string;
  source: AgentStateSource;
  waitingFor: string | null;
}

export class AgentTracker {
  private status: AgentStatus;
  /** When the current state's source last confirmed it. */
  private confirmedAt: number;
  private subagents = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private screenRules: { regex: RegExp; rule: AgentRules['screen'][number] }[] = [];
  private titleRules: { regex: RegExp; rule: AgentRules['title'][number] }[] = [];

  constructor(
    private rules: AgentRules | undefined,
    private readonly changed: (change: AgentChange) => void,
    /** Output has been quiet for the session's idle threshold. */
    private readonly quiet: (seconds: number) => void,
  ) {
    const now = Date.now();
    this.status = { state: 'starting', since: now, reason: 'started', source: 'process', waitingFor: null, agent: rules?.name ?? null };
    this.confirmedAt = now;
    this.compile();
  }

  private compile(): void {
    this.screenRules = (this.rules?.screen ?? []).map((rule) => ({ regex: new RegExp(rule.pattern), rule }));
    this.titleRules = (this.rules?.title ?? []).map((rule) => ({ regex: new RegExp(rule.pattern), rule }));
  }

  get current(): AgentStatus {
    return { ...this.status };
  }

  get agentRules(): AgentRules | undefined {
    return this.rules;
  }

  /** Adopts agent rules discovered later (e.g. Claude Code started inside a shell, seen by its title). */
  adopt(rules: AgentRules): void {
    if (this.rules) return;
    this.rules = rules;
    this.status.agent = rules.name;
    this.compile();
  }

  private idleAfterSeconds(): number {
    return this.rules?.idleAfterSeconds ?? GENERIC_IDLE_SECONDS;
  }

  /**
   * Proposes a state; it is taken unless a more trusted source said otherwise recently. Returns
   * the time (ms from now) after which a refused proposal would be taken, or 0.
   */
  propose(state: AgentState, source: AgentStateSource, reason: string, waitingFor: string | null = null): number {
    const now = Date.now();
    const current = this.status;
    if (current.state === 'exited' || current.state === 'lost') return 0;
    // Any signal beats the initial guess; otherwise a weaker source waits until the state is stale.
    const weaker = current.state !== 'starting' && RANK[source] < RANK[current.source];
    const same = state === current.state && waitingFor === current.waitingFor;
    if (weaker && now - this.confirmedAt < STALE_MS) return same ? 0 : this.confirmedAt + STALE_MS - now;
    if (same) {
      if (!weaker) {
        this.confirmedAt = now;
        this.status = { ...current, source, reason: reason || current.reason };
      }
      return 0;
    }
    this.status = { state, since: now, reason, source, waitingFor, agent: current.agent };
    this.confirmedAt = now;
    this.changed({ from: current.state, to: state, reason, source, waitingFor });
    return 0;
  }

  private apply(transition: Transition | undefined, source: AgentStateSource, waitingFor?: string | null): void {
    if (!transition) return;
    if (transition.subagents !== undefined) this.subagents = Math.max(0, this.subagents + transition.subagents);
    if (!transition.state) return;
    if (transition.unlessSubagents && this.subagents > 0) return;
    this.propose(transition.state, source, transition.reason, transition.waitingFor ?? waitingFor ?? null);
  }

  /** A Claude Code hook event (`hook_event_name`, and `notification_type` for Notification). */
  hook(event: { hook_event_name?: unknown; notification_type?: unknown }): void {
    const name = String(event.hook_event_name ?? '');
    const hooks = this.rules?.hooks ?? {};
    const specific = event.notification_type !== undefined ? hooks[`${name}:${String(event.notification_type)}`] : undefined;
    this.apply(specific ?? (event.notification_type === undefined ? hooks[name] : undefined), 'hook');
  }

  /** Claude Code's status protocol: `state=working:app=claude-code:kind=permission`. */
  osc7501(report: string): void {
    const fields = new Map(report.split(':').map((part) => part.split('=', 2) as [string, string]));
    const state = fields.get('state');
    if (!state) return;
    this.apply(this.rules?.osc7501[state], 'osc7501', fields.get('kind') ?? null);
  }

  title(title: string): void {
    for (const { regex, rule } of this.titleRules) {
      if (regex.test(title)) {
        this.propose(rule.state, 'title', rule.reason, rule.waitingFor ?? null);
        return;
      }
    }
    // The title no longer says what it said: a state it set is no longer backed by anything.
    if (this.status.source === 'title') this.confirmedAt = 0;
  }

  notification(): void {
    // A program asking for a desktop notification wants attention; agents' own rules say more.
    if (this.status.state === 'working' || this.status.state === 'starting') this.propose('needs-input', 'notification', 'asked for a notification');
  }

  /** Checks the screen rules; returns when to look again if a match was refused for now (ms), or 0. */
  screen(text: string): number {
    for (const { regex, rule } of this.screenRules) {
      if (regex.test(text)) return this.propose(rule.state, 'screen', rule.reason, rule.waitingFor ?? null);
    }
    return 0;
  }

  /** Output arrived: the program is active; idle follows after the idle threshold of quiet. */
  output(): void {
    if (this.status.state === 'starting' || (this.status.state === 'idle' && !this.rules)) {
      this.propose('working', 'output', 'printing');
    }
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      const seconds = this.idleAfterSeconds();
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.quiet(seconds);
        if (this.status.state === 'working' || this.status.state === 'starting') this.propose('idle', 'output', `quiet for ${seconds} s`);
      }, seconds * 1000);
    }
  }

  exited(reason: string): void {
    this.end('exited', reason);
  }

  private end(state: 'exited' | 'lost', reason: string): void {
    clearTimeout(this.idleTimer);
    const from = this.status.state;
    if (from === state) return;
    this.status = { state, since: Date.now(), reason, source: 'process', waitingFor: null, agent: this.status.agent };
    this.changed({ from, to: state, reason, source: 'process', waitingFor: null });
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
  }
}
