// Messages between the daemon's main thread and the plugin thread.
import type { CcmuxEvent, SessionSnapshot } from './plugin-api';

export interface PluginSpec {
  name: string;
  /** A bundled plugin's name, or the file a user plugin loads from. */
  source: { bundled: string } | { file: string };
  config: Record<string, unknown>;
}

export type PluginStatusState = 'active' | 'errored' | 'disabled';

export interface PluginStatus {
  name: string;
  source: string;
  state: PluginStatusState;
  /** The last error (throw, rejection, timeout, hang), if any. */
  error: string | null;
  errors: number;
}

export type ToPlugins =
  | { op: 'start'; plugins: PluginSpec[]; sessions: SessionSnapshot[] }
  | { op: 'event'; event: CcmuxEvent; sessions: SessionSnapshot[] }
  | { op: 'reply'; req: number; ok: boolean; result?: unknown; error?: string }
  | { op: 'stop' };

export type FromPlugins =
  | { op: 'run'; req: number; plugin: string; command: string; args: Record<string, unknown> }
  | { op: 'log'; plugin: string; level: 'info' | 'warn' | 'error'; message: string }
  | { op: 'status'; plugins: PluginStatus[] }
  /** A plugin's handler started / finished: the main thread's watchdog catches one that never returns. */
  | { op: 'busy'; plugin: string; what: string }
  | { op: 'idle' }
  | { op: 'stopped' };
