// Main-thread side of plugins: runs them in their own thread, forwards events, answers their
// ctx.run() with the same request handlers the CLI uses, and restarts the thread without a plugin
// that hangs. Nothing here is on the PTY path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describeError } from '../errors';
import type { Logger } from '../server/logger';
import type { Disposable } from '../util/emitter';
import type { CcmuxEvent, SessionSnapshot } from './plugin-api';
import type { FromPlugins, PluginSpec, PluginStatus, ToPlugins } from './plugin-protocol';


export interface PluginHostOptions {
  /** User plugins directory (`$XDG_CONFIG_HOME/ccmux/plugins`). */
  dir: string;
  /** Config sections by plugin name (`config.plugins`), plus the top-level `hooks` for shell hooks. */
  config: Record<string, Record<string, unknown>>;
  /** Bundled plugins switched off in the config. */
  disabled: string[];
  /** A handler running longer than this blocks the plugin thread: the thread is restarted without it. */
  hangMs: number;
  sessions(): SessionSnapshot[];
  /** Runs a command (request name and arguments) on behalf of a plugin. */
  run(command: string, args: Record<string, unknown>): Promise<unknown>;
  subscribe(listener: (event: CcmuxEvent) => void): Disposable;
}

function workerSource(): string {
  return (require('virtual:plugin-worker') as { default: string }).default;
}

const BUNDLED = ['notify', 'shell-hooks'];

export class PluginHost {
  private worker: Worker | undefined;
  private statuses: PluginStatus[] = [];
  private readonly hung = new Map<string, string>();
  private busy: { plugin: string; what: string } | undefined;
  private lastAlive = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private subscription: Disposable | undefined;
  private stopping = false;
  private startedAt = 0;
  /** Restarts after quick failures back off, so a thread that cannot start is no busy loop. */
  private restartDelay = 0;

  constructor(
    private readonly options: PluginHostOptions,
    private readonly log: Logger,
  ) {
    this.watchdog = setInterval(() => this.checkHang(), Math.min(1000, options.hangMs / 4));
    this.watchdog.unref();
  }

  /** The plugins to load: bundled ones, then `*.js`, `*.cjs`, `*.mjs` files in the plugins directory. */
  private specs(): PluginSpec[] {
    const specs: PluginSpec[] = BUNDLED.filter((name) => !this.options.disabled.includes(name)).map((name) => ({
      name,
      source: { bundled: name },
      config: this.options.config[name] ?? {},
    }));
    if (fs.existsSync(this.options.dir)) {
      for (const file of fs.readdirSync(this.options.dir).sort()) {
        if (!/\.(c|m)?js$/.test(file)) continue;
        const name = file.replace(/\.(c|m)?js$/, '');
        specs.push({ name, source: { file: path.join(this.options.dir, file) }, config: this.options.config[name] ?? {} });
      }
    }
    return specs.filter((spec) => !this.hung.has(spec.name));
  }

  start(): void {
    this.lastAlive = this.startedAt = Date.now();
    const worker = new Worker(workerSource(), { eval: true });
    this.worker = worker;
    worker.unref();
    worker.on('message', (message: FromPlugins) => this.onMessage(message));
    worker.on('error', (error) => this.log.error(`plugin thread failed: ${error.stack ?? error.message}`));
    worker.on('exit', () => {
      if (this.worker !== worker || this.stopping) return;
      this.restartDelay = Date.now() - this.startedAt < 10_000 ? Math.min(30_000, Math.max(250, this.restartDelay * 2)) : 0;
      this.log.warn(`plugin thread exited; restarting it in ${this.restartDelay} ms`);
      this.worker = undefined;
      setTimeout(() => !this.stopping && this.start(), this.restartDelay).unref();
    });
    this.post({ op: 'start', plugins: this.specs(), sessions: this.options.sessions() });
    this.subscription ??= this.options.subscribe((event) => this.post({ op: 'event', event, sessions: this.options.sessions() }));
  }

  private post(message: ToPlugins): void {
    this.worker?.postMessage(message);
  }

  private restart(): void {
    const old = this.worker;
    this.worker = undefined;
    this.busy = undefined;
    void old?.terminate();
    this.start();
  }

  private checkHang(): void {
    // Busy alone is fine (a handler may await I/O); busy with the thread silent is a blocked thread.
    if (!this.busy || Date.now() - this.lastAlive < this.options.hangMs) return;
    const { plugin, what } = this.busy;
    this.log.error(`plugin ${plugin} hangs in ${what}; restarting the plugin thread without it`);
    this.hung.set(plugin, `${what} never returned (stopped after ${this.options.hangMs / 1000} s)`);
    this.restart();
  }

  private onMessage(message: FromPlugins): void {
    switch (message.op) {
      case 'run':
        this.options.run(message.command, message.args).then(
          (result) => this.post({ op: 'reply', req: message.req, ok: true, result }),
          (error) => this.post({ op: 'reply', req: message.req, ok: false, error: describeError(error) }),
        );
        return;
      case 'log':
        this.log[message.level](`plugin ${message.plugin}: ${message.message}`);
        return;
      case 'status':
        this.statuses = message.plugins;
        return;
      case 'busy':
        this.busy = { plugin: message.plugin, what: message.what };
        return;
      case 'alive':
        this.lastAlive = Date.now();
        return;
      case 'idle':
        this.busy = undefined;
        return;
      case 'stopped':
        return;
    }
  }

  /** Every plugin with its state, including the ones stopped for hanging. */
  status(): PluginStatus[] {
    const hung = [...this.hung].map(([name, error]): PluginStatus => ({ name, source: '', state: 'errored', error, errors: 1 }));
    return [...this.statuses, ...hung];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    this.subscription?.dispose();
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      worker.on('message', (message: FromPlugins) => {
        if (message.op === 'stopped') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.post({ op: 'stop' });
    });
    await worker.terminate();
  }
}
