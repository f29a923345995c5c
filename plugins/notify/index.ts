// Bundled plugin: tells you when an agent needs you, is done, or failed — on the desktop, on every
// attached terminal, through a command or a webhook. Deduplicated, rate-limited, muted per session
// (`ccmux mute`), and silent for a session you are looking at.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CcmuxEvent, Plugin, PluginContext, SessionSnapshot } from '../../src/plugins/plugin-api';

export interface Notice {
  kind: 'needs-input' | 'done' | 'failed' | 'program';
  session: { id: string; name: string };
  title: string;
  body: string;
}

interface Settings {
  desktop: boolean | 'auto';
  terminal: boolean;
  command: string | undefined;
  webhook: string | undefined;
  graceSeconds: number;
  minIntervalSeconds: number;
}

function settingsFrom(config: Readonly<Record<string, unknown>>): Settings {
  const number = (value: unknown, fallback: number) => (typeof value === 'number' && value >= 0 ? value : fallback);
  return {
    desktop: config.desktop === false ? false : config.desktop === true ? true : 'auto',
    terminal: config.terminal !== false,
    command: typeof config.command === 'string' ? config.command : undefined,
    webhook: typeof config.webhook === 'string' ? config.webhook : undefined,
    graceSeconds: number(config.graceSeconds, 3),
    minIntervalSeconds: number(config.minIntervalSeconds, 10),
  };
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function runCommand(command: string, args: string[], env: Record<string, string>, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code) reject(new Error(`${command} exited ${code}`));
      else resolve();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
}

class Notifier {
  private readonly settings: Settings;
  private readonly lastSent = new Map<string, number>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private readonly desktop: boolean;

  constructor(private readonly context: PluginContext) {
    this.settings = settingsFrom(context.config);
    this.desktop = this.settings.desktop === 'auto' ? onPath('notify-send') : this.settings.desktop;
  }

  private session(id: string): SessionSnapshot | undefined {
    return this.context.sessions.find((session) => session.id === id);
  }

  event(event: CcmuxEvent): void {
    switch (event.type) {
      case 'agent-state-changed':
        clearTimeout(this.graceTimers.get(event.session.id));
        if (event.to === 'needs-input') {
          const what = event.waitingFor === 'permission' ? 'asks for permission' : event.waitingFor === 'question' ? 'asks a question' : 'needs you';
          void this.send({ kind: 'needs-input', session: event.session, title: `${event.session.name} ${what}`, body: event.reason });
        } else if (event.to === 'idle' && event.from === 'working') {
          // Done only if it stays idle a moment: agents pause between steps.
          this.graceTimers.set(
            event.session.id,
            setTimeout(() => {
              this.graceTimers.delete(event.session.id);
              if (this.session(event.session.id)?.agent.state === 'idle') {
                void this.send({ kind: 'done', session: event.session, title: `${event.session.name} is done`, body: event.reason });
              }
            }, this.settings.graceSeconds * 1000),
          );
        }
        return;
      case 'session-exited':
        clearTimeout(this.graceTimers.get(event.session.id));
        if (event.signal || event.code) {
          const how = event.signal ? `killed by ${event.signal}` : `exit code ${event.code}`;
          void this.send({ kind: 'failed', session: event.session, title: `${event.session.name} failed`, body: how });
        }
        return;
      case 'notification':
        void this.send({ kind: 'program', session: event.session, title: event.title || event.session.name, body: event.body });
        return;
      default:
        return;
    }
  }

  /** Delivers a notice to every sink, unless muted, being looked at, or just sent. */
  async send(notice: Notice): Promise<void> {
    const snapshot = this.session(notice.session.id);
    if (snapshot?.muted || snapshot?.viewing) return;
    const key = `${notice.session.id}:${notice.kind}`;
    const now = Date.now();
    if (now - (this.lastSent.get(key) ?? -Infinity) < this.settings.minIntervalSeconds * 1000) return;
    this.lastSent.set(key, now);
    const sinks: [string, () => Promise<unknown>][] = [];
    if (this.settings.terminal) sinks.push(['terminal', () => this.context.run('notify', { title: notice.title, body: notice.body, exceptSession: notice.session.id })]);
    if (this.desktop) sinks.push(['desktop', () => runCommand('notify-send', ['--app-name=ccmux', notice.title, notice.body], {})]);
    if (this.settings.command) {
      const env = { CCMUX_NOTIFY_KIND: notice.kind, CCMUX_NOTIFY_TITLE: notice.title, CCMUX_NOTIFY_BODY: notice.body, CCMUX_SESSION: notice.session.id, CCMUX_SESSION_NAME: notice.session.name };
      sinks.push(['command', () => runCommand('/bin/sh', ['-c', this.settings.command!], env, `${JSON.stringify(notice)}\n`)]);
    }
    if (this.settings.webhook) sinks.push(['webhook', () => postJson(this.settings.webhook!, { ...notice, time: now })]);
    await Promise.all(
      sinks.map(([name, deliver]) => deliver().catch((error: Error) => this.context.log.warn(`${name} notification failed: ${error.message}`))),
    );
  }

  dispose(): void {
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
  }
}

let notifier: Notifier | undefined;

const plugin: Plugin = {
  name: 'notify',
  activate(context) {
    notifier = new Notifier(context);
    for (const type of ['agent-state-changed', 'session-exited', 'notification'] as const) {
      context.on(type, (event) => notifier!.event(event as CcmuxEvent));
    }
  },
  dispose() {
    notifier?.dispose();
  },
};

export default plugin;

