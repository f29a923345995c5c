// Agent state from every source: Claude Code hooks, the OSC 7501 status protocol, title and screen
// rules, output timing and exit — with a fake Claude Code that behaves like the real one.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { fakeClaudePath } from '../helpers/fake-claude';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

interface AgentJson {
  name: string;
  agent: { state: string; waitingFor: string | null; source: string; agent: string | null; reason: string };
}

async function agent(name: string): Promise<AgentJson['agent']> {
  return (await home.json<AgentJson[]>(['ls'])).find((s) => s.name === name)!.agent;
}

async function waitState(name: string, until: string): Promise<void> {
  const result = await home.run(['wait', name, '--until', until, '--timeout', '20']);
  expect(result.code, `wait --until ${until}: ${JSON.stringify(await agent(name))}`).toBe(0);
}

async function startClaude(extraEnv: string[] = []): Promise<string> {
  const env = ['-e', `PATH=${fakeClaudePath(home.dir)}`, ...extraEnv.flatMap((pair) => ['-e', pair])];
  return home.newSession(['claude'], ['-s', 'claude', ...env]);
}

describe('agent state', () => {
  it('follows Claude Code hooks: idle, working, needs-input (permission), idle', async () => {
    home = new CcmuxHome();
    await startClaude(['FAKE_CLAUDE_NO_7501=1']);
    await waitState('claude', 'idle');
    expect(await agent('claude')).toMatchObject({ state: 'idle', source: 'hook', agent: 'claude-code' });

    await home.ok(['send', 'claude', 'say hello']);
    await waitState('claude', 'idle');
    expect((await agent('claude')).reason).toBe('turn finished');

    await home.ok(['send', 'claude', 'run bash please']);
    await waitState('claude', 'needs-input');
    expect(await agent('claude')).toMatchObject({ state: 'needs-input', waitingFor: 'permission', source: 'hook' });
    await home.ok(['send', 'claude', '--keys', '1']);
    await waitState('claude', 'working');
    await waitState('claude', 'idle');
    expect(await home.peek('claude')).toContain('Ran it: hi');
  });

  it('answers the OSC 7501 probe and follows the status reports — the only signal for a denial', async () => {
    home = new CcmuxHome();
    await startClaude(['FAKE_CLAUDE_NO_HOOKS=1']);
    await waitState('claude', 'idle');
    await home.ok(['send', 'claude', 'run bash']);
    await waitState('claude', 'needs-input');
    expect(await agent('claude')).toMatchObject({ source: 'osc7501', waitingFor: 'permission' });
    await home.ok(['send', 'claude', '--keys', 'Escape']);
    await waitState('claude', 'idle');
    expect(await agent('claude')).toMatchObject({ state: 'idle', source: 'osc7501' });
  });

  it('falls back to the title and the screen when the agent reports nothing', async () => {
    home = new CcmuxHome();
    await startClaude(['FAKE_CLAUDE_NO_HOOKS=1', 'FAKE_CLAUDE_NO_7501=1']);
    await waitState('claude', 'idle');
    expect((await agent('claude')).source).toBe('screen');
    await home.ok(['send', 'claude', 'run bash']);
    await waitState('claude', 'needs-input');
    expect(await agent('claude')).toMatchObject({ source: 'screen', waitingFor: 'permission' });
    await home.ok(['send', 'claude', '--keys', '1']);
    await waitState('claude', 'idle');
  });

  it('gives other programs the generic states: working while printing, idle when quiet, exited', async () => {
    home = new CcmuxHome();
    await home.newSession(['sh', '-c', 'for i in 1 2 3 4 5; do echo tick $i; sleep 0.2; done; sleep 3; echo again; sleep 0.5; exit 3'], ['-s', 'plain']);
    await waitState('plain', 'working');
    expect(await agent('plain')).toMatchObject({ agent: null, source: 'output' });
    await waitState('plain', 'idle');
    await waitState('plain', 'working');
    await home.ok(['wait', 'plain', '--until', 'exit']);
    expect((await home.json<{ agent: { state: string } }[]>(['ls']))[0]!.agent.state).toBe('exited');
  });

  it('streams events for scripts: state changes, notifications, exit', async () => {
    home = new CcmuxHome();
    await home.newSession(['sleep', '600'], ['-s', 'first']);
    const { file, args } = ccmuxCommand();
    const stream = spawn(file, [...args, 'events', '--json'], { env: home.env });
    home.track(stream.pid);
    let text = '';
    stream.stdout.on('data', (chunk) => (text += chunk));
    const events = () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; session: { name: string }; to?: string; body?: string });
    // The stream is live once it reports a session created after it started.
    let probes = 0;
    await waitUntil('the stream to be live', async () => {
      await home.newSession(['true'], ['-s', `probe${++probes}`]);
      return events().some((event) => event.type === 'session-created' && event.session.name.startsWith('probe'));
    });
    await home.newSession(['sh', '-c', 'printf "\\033]9;build finished\\007"; sleep 0.5; exit 2'], ['-s', 'notifier']);
    await waitUntil('the exit event', () => events().some((event) => event.type === 'session-exited' && event.session.name === 'notifier'), {
      detail: () => text,
    });
    const mine = events().filter((event) => event.session.name === 'notifier');
    expect(mine.map((event) => event.type)).toEqual(expect.arrayContaining(['session-created', 'notification', 'agent-state-changed', 'session-exited']));
    expect(mine.find((event) => event.type === 'notification')!.body).toBe('build finished');
    expect(mine.filter((event) => event.type === 'agent-state-changed').at(-1)!.to).toBe('exited');
    stream.kill();
  });
});
