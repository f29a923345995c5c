// Plugins and hooks: user plugins (CJS and ESM) from the plugins directory, isolation of throwing,
// rejecting and hanging plugins, shell hooks, the notify plugin's sinks, and the restart policy.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordedEvents } from '../../src/recording/timeline';
import { Store } from '../../src/store/store';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { fakeClaudePath } from '../helpers/fake-claude';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';

const PLUGINS = path.join(__dirname, '..', 'fixtures', 'plugins');
let home: CcmuxHome;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await home.cleanup();
});

function configure(config: object, plugins: string[] = []): void {
  fs.writeFileSync(path.join(home.dir, 'config.json'), JSON.stringify(config));
  fs.mkdirSync(path.join(home.dir, 'plugins'), { recursive: true });
  for (const plugin of plugins) fs.copyFileSync(path.join(PLUGINS, plugin), path.join(home.dir, 'plugins', plugin));
}

function timeline(name: string): { type: string; label?: string }[] {
  const store = Store.open(path.join(home.dir, 'store'), { readOnly: true });
  try {
    return [...recordedEvents(store, store.sessions().find((s) => s.name === name)!.id)];
  } finally {
    void store.close();
  }
}

interface PluginJson {
  name: string;
  state: string;
  errors: number;
  error: string | null;
}

describe('plugins', () => {
  it('loads user plugins (CommonJS and ESM) that act through the CLI vocabulary', async () => {
    home = new CcmuxHome();
    configure({ plugins: { marker: { who: 'the test' } } }, ['marker.cjs', 'esm-logger.mjs']);
    await home.newSession(['sh', '-c', 'echo hi; sleep 600'], ['-s', 'watched']);
    await waitUntil('the plugin to mark the session', () => timeline('watched').some((event) => event.label === 'seen by the test'));
    await waitUntil('the ESM plugin to log', () => fs.readFileSync(home.log, 'utf8').includes('esm-logger saw watched starting -> working'));
    const plugins = await home.json<PluginJson[]>(['plugins']);
    expect(plugins.map((p) => [p.name, p.state])).toEqual([
      ['notify', 'active'],
      ['shell-hooks', 'active'],
      ['esm-logger', 'active'],
      ['marker', 'active'],
    ]);
  });

  it('isolates plugins that throw, reject or hang: sessions and the daemon carry on', async () => {
    home = new CcmuxHome();
    configure({ pluginHangSeconds: 1 }, ['thrower.cjs', 'hanger.cjs', 'marker.cjs']);
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'shell']);
    await waitUntil('the thrower to have failed', async () => {
      const thrower = (await home.json<PluginJson[]>(['plugins'])).find((p) => p.name === 'thrower')!;
      return thrower.errors > 0 && /thrown on purpose|rejected on purpose/.test(thrower.error ?? '');
    });
    await home.ok(['mark', 'shell', 'hang']);
    await waitUntil('the hanging plugin to be stopped', async () => {
      const hanger = (await home.json<PluginJson[]>(['plugins'])).find((p) => p.name === 'hanger');
      return hanger?.state === 'errored' && /never returned/.test(hanger.error ?? '');
    });
    // Sessions never noticed: typing and output still work, and the other plugins run again.
    await home.ok(['send', 'shell', 'echo still-$((40+2))']);
    await home.waitForScreen('shell', (s) => s.includes('still-42'), 'the session to answer');
    await home.newSession(['sleep', '600'], ['-s', 'after']);
    await waitUntil('the marker plugin to work after the restart', () => timeline('after').some((event) => event.label === 'seen by marker'));
    expect(fs.readFileSync(home.log, 'utf8')).toContain('plugin hanger hangs in on marker; restarting the plugin thread without it');
  });

  it('runs shell hooks with the event in the environment and as JSON on stdin', async () => {
    home = new CcmuxHome();
    const out = path.join(home.dir, 'hook-out.jsonl');
    const env = path.join(home.dir, 'hook-env.txt');
    configure({
      hooks: {
        'session-exited': [`cat >> ${out}`, `echo "$CCMUX_EVENT $CCMUX_SESSION_NAME $CCMUX_CODE" >> ${env}`],
        'agent-state-changed': `echo "$CCMUX_EVENT $CCMUX_SESSION_NAME $CCMUX_STATE" >> ${env}`,
      },
    });
    await home.newSession(['sh', '-c', 'echo working; exit 7'], ['-s', 'hooked']);
    await waitUntil('the exit hook', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('session-exited'));
    const event = JSON.parse(fs.readFileSync(out, 'utf8').trim()) as { type: string; code: number; session: { name: string } };
    expect(event).toMatchObject({ type: 'session-exited', code: 7, session: { name: 'hooked' } });
    await waitUntil('the environment lines', () => fs.readFileSync(env, 'utf8').includes('session-exited hooked 7'));
    expect(fs.readFileSync(env, 'utf8')).toContain('agent-state-changed hooked exited');
  });

  it('rejects a config with a hook for an unknown event, naming the key', async () => {
    home = new CcmuxHome();
    configure({ hooks: { 'session-exploded': 'true' } });
    const result = await home.run(['new', '-d', '--', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config\.hooks\.session-exploded: unknown event/);
  });
});

describe('notify plugin', () => {
  it('tells attached terminals, a command and a webhook when an agent needs input — not the one being viewed', async () => {
    home = new CcmuxHome();
    const received: string[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const commandOut = path.join(home.dir, 'notified.txt');
    const port = (server.address() as { port: number }).port;
    const states = path.join(home.dir, 'states.txt');
    configure({
      plugins: { notify: { desktop: false, command: `echo "$CCMUX_NOTIFY_KIND|$CCMUX_NOTIFY_TITLE" >> ${commandOut}`, webhook: `http://127.0.0.1:${port}/hook`, graceSeconds: 0.2 } },
      // Plugins see events in order, notify first: once this hook ran for an event, notify has decided on it.
      hooks: { 'agent-state-changed': `echo "$CCMUX_SESSION_NAME $CCMUX_STATE" >> ${states}` },
    });
    await home.newSession(['claude'], ['-s', 'claude', '-e', `PATH=${fakeClaudePath(home.dir)}`, '-e', 'FAKE_CLAUDE_NO_7501=1']);
    await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'elsewhere']);
    await home.ok(['wait', 'claude', '--until', 'idle', '--timeout', '20']);

    // The user is looking at another session, in a terminal that understands OSC 777 (VTE).
    const { file, args } = ccmuxCommand();
    const terminal = new TestTerminal(file, [...args, 'attach', 'elsewhere'], { env: { ...home.env, VTE_VERSION: '7600' }, cwd: home.dir });
    cleanups.push(() => terminal.dispose());
    await waitUntil('the client to be attached', async () => (await home.json<{ name: string; clients: unknown[] }[]>(['ls'])).find((s) => s.name === 'elsewhere')!.clients.length === 1);

    await home.ok(['send', 'claude', 'run bash']);
    await home.ok(['wait', 'claude', '--until', 'needs-input', '--timeout', '20']);
    await terminal.waitForOutput('\x1b]777;notify;claude asks for permission;');
    await waitUntil('the command sink', () => fs.existsSync(commandOut) && fs.readFileSync(commandOut, 'utf8').includes('needs-input|claude asks for permission'));
    await waitUntil('the webhook', () => received.some((body) => JSON.parse(body).kind === 'needs-input'));
    expect(received.map((body) => JSON.parse(body))).toEqual([expect.objectContaining({ kind: 'needs-input', session: expect.objectContaining({ name: 'claude' }), title: 'claude asks for permission' })]);

    // Approve it; when it is done, that is notified too (after the grace period).
    await home.ok(['send', 'claude', '--keys', '1']);
    await waitUntil('the done notification', () => fs.readFileSync(commandOut, 'utf8').includes('done|claude is done'));

    // Now the user looks at claude itself: no notification for it.
    const viewer = new TestTerminal(file, [...args, 'attach', 'claude'], { env: home.env, cwd: home.dir });
    cleanups.push(() => viewer.dispose());
    await viewer.waitForScreen((s) => s.includes('Ran it'), 'the claude screen');
    viewer.write('again with bash\r');
    await home.ok(['wait', 'claude', '--until', 'needs-input', '--timeout', '20']);
    await waitUntil('the plugins to have seen it', () => fs.readFileSync(states, 'utf8').match(/claude needs-input/g)?.length === 2);
    expect(fs.readFileSync(commandOut, 'utf8').match(/needs-input/g)).toHaveLength(1);
  });
});

describe('restart policy', () => {
  it('restarts a failing program with backoff in the same timeline, up to --max-restarts', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'echo run; exit 1'], ['-s', 'flaky', '--restart', 'on-failure', '--max-restarts', '2']);
    await waitUntil('three runs', () => timeline('flaky').filter((event) => event.type === 'start').length === 3, { timeoutMs: 20_000 });
    await waitUntil('the last exit', () => timeline('flaky').filter((event) => event.type === 'exit').length === 3);
    const [info] = await home.json<{ state: string; exit: { code: number } }[]>(['ls']);
    expect(info).toMatchObject({ state: 'exited', exit: { code: 1 } });
    const bad = await home.run(['new', '-d', '--restart', 'sometimes', '--', 'true']);
    expect(bad.stderr).toBe('ccmux: --restart expects on-failure or always, got "sometimes"\n');
  });

  it('does not restart a session ended with ccmux kill', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'steady', '--restart', 'always']);
    await home.ok(['kill', 'steady']);
    await home.newSession(['true'], ['-s', 'later']); // Time passes observably: a later session is created.
    expect(timeline('steady').filter((event) => event.type === 'start')).toHaveLength(1);
  });
});
