// The ccmux plugin API, version 1: the only module plugins may import (types only, no runtime code).
//
// A plugin is a module exporting `{ name, activate(ctx), dispose? }` (as `default` or as the module
// itself). It runs in the daemon's plugin thread: a plugin that throws, rejects or hangs is stopped
// and reported by `ccmux plugins`, and never slows a session.

export const PLUGIN_API_VERSION = 1;

export interface Disposable {
  dispose(): void;
}

export type AgentState = 'starting' | 'working' | 'needs-input' | 'idle' | 'exited' | 'lost' | 'unknown';

/** Where an agent state came from, most trusted first. */
export type AgentStateSource = 'hook' | 'osc7501' | 'title' | 'notification' | 'screen' | 'output' | 'process';

/** A session as plugins see it (a read-only snapshot). */
export interface SessionSnapshot {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  state: 'running' | 'exited' | 'lost';
  agent: { state: AgentState; since: number; reason: string; source: AgentStateSource; waitingFor: string | null; agent: string | null };
  /** Attached clients; `viewing` is true when someone typed or attached in the last minute. */
  clients: number;
  viewing: boolean;
  /** Muted with `ccmux mute`: notifications about it are not sent. */
  muted: boolean;
  title: string;
  exit: { code: number | null; signal: string | null } | null;
}

interface EventBase {
  /** Milliseconds since the epoch. */
  time: number;
  session: { id: string; name: string };
}

/** Everything the daemon reports, by name. The same names appear in `ccmux events` and shell hooks. */
export interface CcmuxEvents {
  'session-created': EventBase & { command: string[]; cwd: string };
  'session-exited': EventBase & { code: number | null; signal: string | null };
  'session-lost': EventBase;
  'client-attached': EventBase & { client: number; readOnly: boolean };
  'client-detached': EventBase & { client: number };
  /** No output for a while (the session's idle threshold). */
  'output-idle': EventBase & { quietSeconds: number };
  bell: EventBase;
  /** A desktop notification the program asked its terminal for (OSC 9, 777 or 99). */
  notification: EventBase & { title: string; body: string; via: 'osc9' | 'osc777' | 'osc99' };
  'title-changed': EventBase & { title: string };
  'agent-state-changed': EventBase & {
    from: AgentState;
    to: AgentState;
    reason: string;
    source: AgentStateSource;
    waitingFor: string | null;
  };
  marker: EventBase & { label: string };
}

export type CcmuxEventName = keyof CcmuxEvents;
export type CcmuxEvent = { [K in CcmuxEventName]: { type: K } & CcmuxEvents[K] }[CcmuxEventName];

export interface PluginLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PluginContext {
  readonly apiVersion: number;
  /** Subscribes to an event; dispose the result to unsubscribe. */
  on<K extends CcmuxEventName>(event: K, handler: (event: CcmuxEvents[K] & { type: K }) => void | Promise<void>): Disposable;
  /** Runs a ccmux command by its CLI name (`send`, `peek`, `ls`, `mark`…) with its request arguments. */
  run(command: string, args?: Record<string, unknown>): Promise<unknown>;
  /** The sessions as of now (read-only). */
  readonly sessions: readonly SessionSnapshot[];
  /** This plugin's section of the config file (`plugins.<name>`), or {}. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly log: PluginLogger;
}

export interface Plugin {
  name: string;
  activate(context: PluginContext): void | Promise<void>;
  dispose?(): void | Promise<void>;
}
