// Entry of the plugin thread: loads bundled and user plugins, gives each its context, and delivers
// events to them. A throw or rejection is caught and counted here; a plugin that never returns is
// caught by the main thread's watchdog, which restarts this thread without it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import notify from '../../plugins/notify';
import shellHooks from '../../plugins/shell-hooks';
import { PLUGIN_API_VERSION, type CcmuxEvent, type CcmuxEventName, type Plugin, type PluginContext, type SessionSnapshot } from './plugin-api';
import type { FromPlugins, PluginSpec, PluginStatus, ToPlugins } from './plugin-protocol';

const port = parentPort;
if (!port) throw new Error('plugin-worker must run in a worker thread');

const BUNDLED: Record<string, Plugin> = { notify, 'shell-hooks': shellHooks };
/** A handler (or activate) that takes longer than this is counted as failed. */
const HANDLER_TIMEOUT_MS = 10_000;
/** After this many failures a plugin is switched off until the daemon restarts. */
const MAX_ERRORS = 5;

interface Loaded {
  spec: PluginSpec;
  plugin: Plugin | undefined;
  status: PluginStatus;
  handlers: Map<CcmuxEventName, Set<(event: never) => unknown>>;
}

const post = (message: FromPlugins) => port.postMessage(message);
let sessions: SessionSnapshot[] = [];
const loaded: Loaded[] = [];
let nextRequest = 1;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

function reportStatus(): void {
  post({ op: 'status', plugins: loaded.map((entry) => ({ ...entry.status })) });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `call` for a plugin with a timeout; failures are counted and may switch the plugin off. */
async function guarded(entry: Loaded, what: string, call: () => unknown): Promise<void> {
  if (entry.status.state !== 'active') return;
  post({ op: 'busy', plugin: entry.spec.name, what });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(call),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANDLER_TIMEOUT_MS / 1000} s`)), HANDLER_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    entry.status.errors++;
    entry.status.error = `${what}: ${describe(error)}`;
    post({ op: 'log', plugin: entry.spec.name, level: 'error', message: entry.status.error });
    if (entry.status.errors >= MAX_ERRORS || what === 'activate') entry.status.state = 'errored';
    reportStatus();
  } finally {
    clearTimeout(timer);
    post({ op: 'idle' });
  }
}

function contextFor(entry: Loaded): PluginContext {
  const name = entry.spec.name;
  const log = (level: 'info' | 'warn' | 'error') => (message: string) => post({ op: 'log', plugin: name, level, message: String(message) });
  return {
    apiVersion: PLUGIN_API_VERSION,
    on(event, handler) {
      let set = entry.handlers.get(event);
      if (!set) entry.handlers.set(event, (set = new Set()));
      set.add(handler as (event: never) => unknown);
      return { dispose: () => set!.delete(handler as (event: never) => unknown) };
    },
    run(command, args = {}) {
      const req = nextRequest++;
      return new Promise((resolve, reject) => {
        pending.set(req, { resolve, reject });
        post({ op: 'run', req, plugin: name, command, args });
      });
    },
    get sessions() {
      return sessions;
    },
    config: Object.freeze({ ...entry.spec.config }),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
  };
}

/** A user plugin: CommonJS, or ESM (loaded with require(esm) where the runtime has it, else import()). */
async function loadFile(file: string): Promise<Plugin> {
  let exported: unknown;
  try {
    exported = createRequire(file)(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM' && (error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    exported = await import(pathToFileURL(file).href);
  }
  const module = exported as { default?: unknown };
  const plugin = (module.default ?? module) as Partial<Plugin>;
  if (typeof plugin?.activate !== 'function') throw new Error('it exports no activate(ctx) function');
  return plugin as Plugin;
}

async function start(specs: PluginSpec[]): Promise<void> {
  for (const spec of specs) {
    const source = 'bundled' in spec.source ? `bundled:${spec.source.bundled}` : spec.source.file;
    const entry: Loaded = { spec, plugin: undefined, handlers: new Map(), status: { name: spec.name, source, state: 'active', error: null, errors: 0 } };
    loaded.push(entry);
    try {
      entry.plugin = 'bundled' in spec.source ? BUNDLED[spec.source.bundled] : await loadFile(spec.source.file);
      if (!entry.plugin) throw new Error('no such bundled plugin');
    } catch (error) {
      entry.status = { ...entry.status, state: 'errored', error: `cannot load: ${describe(error)}`, errors: 1 };
      post({ op: 'log', plugin: spec.name, level: 'error', message: entry.status.error! });
      continue;
    }
    const plugin = entry.plugin;
    await guarded(entry, 'activate', () => plugin.activate(contextFor(entry)));
  }
  reportStatus();
}

async function deliver(event: CcmuxEvent): Promise<void> {
  for (const entry of loaded) {
    for (const handler of entry.handlers.get(event.type) ?? []) await guarded(entry, `on ${event.type}`, () => handler(event as never));
  }
}

async function stop(): Promise<void> {
  for (const entry of loaded) {
    const plugin = entry.plugin;
    if (plugin?.dispose) await guarded(entry, 'dispose', () => plugin.dispose!());
  }
  post({ op: 'stopped' });
}

// Events are delivered one at a time, in order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToPlugins) => {
  switch (message.op) {
    case 'start':
      sessions = message.sessions;
      queue = queue.then(() => start(message.plugins));
      return;
    case 'event':
      queue = queue.then(() => {
        sessions = message.sessions;
        return deliver(message.event);
      });
      return;
    case 'reply': {
      const request = pending.get(message.req);
      pending.delete(message.req);
      if (message.ok) request?.resolve(message.result);
      else request?.reject(new Error(message.error));
      return;
    }
    case 'stop':
      queue = queue.then(stop);
      return;
  }
});
