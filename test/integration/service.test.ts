// `ccmux service`: the systemd user unit it writes (into a temp XDG_CONFIG_HOME), and — with a stand-in
// systemctl that runs the unit's ExecStart like systemd would — that clients then use the service's
// daemon and start it through systemd, never racing it. Where systemd is missing: the fallback.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CcmuxHome, ccmuxCommand } from '../helpers/ccmux';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;
let unit: string;
let calls: string;

/** systemctl as far as ccmux uses it; `start` runs the unit's ExecStart detached, as systemd would. */
const FAKE_SYSTEMCTL = `#!/bin/bash
echo "$*" >> "$FAKE_SYSTEMD_CALLS"
[ "$1" = --user ] && shift
if [ -n "$FAKE_SYSTEMD_DOWN" ]; then echo "Failed to connect to bus: No medium found" >&2; exit 1; fi
unit="$XDG_CONFIG_HOME/systemd/user/ccmux.service"
case "$1" in
  show-environment) echo "HOME=$HOME" ;;
  daemon-reload|enable|disable) ;;
  start)
    exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
    log=$(sed -n 's/^StandardOutput=append://p' "$unit")
    INVOCATION_ID=fake eval "setsid $exec_line >> '$log' 2>&1 < /dev/null &"
    echo $! > "$FAKE_SYSTEMD_PID" ;;
  is-enabled) [ -f "$unit" ] && echo enabled || { echo disabled; exit 1; } ;;
  is-active) echo active ;;
  show) cat "$FAKE_SYSTEMD_PID" 2>/dev/null || echo 0 ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`;

beforeEach(() => {
  home = new CcmuxHome();
  const bin = path.join(home.dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'systemctl'), FAKE_SYSTEMCTL, { mode: 0o755 });
  const config = path.join(home.dir, 'xdg-config');
  unit = path.join(config, 'systemd', 'user', 'ccmux.service');
  calls = path.join(home.dir, 'systemctl.calls');
  Object.assign(home.env, {
    PATH: `${bin}:${process.env.PATH}`,
    XDG_CONFIG_HOME: config,
    FAKE_SYSTEMD_CALLS: calls,
    FAKE_SYSTEMD_PID: path.join(home.dir, 'service.pid'),
  });
});

afterEach(async () => {
  await home.cleanup();
});

const systemctlCalls = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []);

interface StatusJson {
  pid: number;
  managedBy: string | null;
}

describe('service', () => {
  it('writes a unit that runs `ccmux server` with this shell\'s paths; without systemd it says what to do instead', async () => {
    home.env.FAKE_SYSTEMD_DOWN = '1';
    const installed = await home.run(['service', 'install']);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toBe(`wrote ${unit}\n`);
    expect(installed.stderr).toContain('systemd is not available for this user (Failed to connect to bus: No medium found)');
    expect(installed.stderr).toContain('@reboot');

    const text = fs.readFileSync(unit, 'utf8');
    const { file, args } = ccmuxCommand();
    expect(text).toContain(`ExecStart=${[file, ...args, 'server'].map((word) => `"${word}"`).join(' ')}\n`);
    expect(text).toContain(`Environment="CCMUX_HOME=${home.dir}"\n`);
    expect(text).toContain(`# ccmux socket: ${home.socket}\n`);
    expect(text).toContain(`StandardOutput=append:${home.log}\n`);
    expect(text).toMatch(/\[Install\]\nWantedBy=default\.target\n$/);

    const status = JSON.parse(await home.ok(['service', 'status', '--json']));
    expect(status).toMatchObject({ unit, installed: true, sameSocket: true, systemd: false, daemonPid: null });

    // A client finding no daemon tries the service first, then starts the daemon itself.
    await home.newSession(['sleep', '600'], ['-s', 'fallback']);
    expect(systemctlCalls()).toContain('--user start ccmux.service');
    expect((await home.json<StatusJson>(['status'])).managedBy).toBeNull();

    expect(await home.ok(['service', 'uninstall'])).toBe(`removed ${unit}\n`);
    expect(fs.existsSync(unit)).toBe(false);
  });

  it('enables and starts the service; clients use its daemon and start it again through systemd', async () => {
    const installed = await home.run(['service', 'install']);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toBe(`wrote ${unit}\nenabled and started ccmux.service; clients use it (socket ${home.socket})\n`);
    expect(systemctlCalls()).toEqual(['--user show-environment', '--user daemon-reload', '--user enable ccmux.service', '--user start ccmux.service']);
    if (!fs.existsSync('/var/lib/systemd/linger/root')) expect(installed.stderr).toContain('loginctl enable-linger');

    const first = await waitUntil('the service daemon', async () => {
      const result = await home.run(['status', '--json']);
      return result.code === 0 ? (JSON.parse(result.stdout) as StatusJson) : undefined;
    });
    expect(first.managedBy).toBe('systemd');
    expect(first.pid).toBe(Number(fs.readFileSync(home.env.FAKE_SYSTEMD_PID!, 'utf8')));
    expect(JSON.parse(await home.ok(['service', 'status', '--json']))).toMatchObject({
      installed: true,
      sameSocket: true,
      systemd: true,
      enabled: 'enabled',
      active: 'active',
      servicePid: first.pid,
      daemonPid: first.pid,
    });
    expect(await home.ok(['service', 'status'])).toContain(`daemon    pid ${first.pid}, the service's\n`);

    // Stopped, the next client that needs a daemon has systemd start it: one owner, no second daemon.
    await home.ok(['kill-server']);
    await home.newSession(['sleep', '600'], ['-s', 'again']);
    expect(systemctlCalls().filter((call) => call === '--user start ccmux.service')).toHaveLength(2);
    const second = await home.json<StatusJson>(['status']);
    expect(second.managedBy).toBe('systemd');
    expect(second.pid).toBe(Number(fs.readFileSync(home.env.FAKE_SYSTEMD_PID!, 'utf8')));

    const removed = await home.ok(['service', 'uninstall']);
    expect(removed).toBe(`removed ${unit}\nthe daemon it started keeps running with its sessions until \`ccmux kill-server\`\n`);
    expect(systemctlCalls()).toContain('--user disable ccmux.service');
    expect((await home.json<{ name: string; state: string }[]>(['ls']))[0]).toMatchObject({ name: 'again', state: 'running' });
  });

  it('leaves a daemon that runs outside the service alone; a second daemon refuses before touching the store', async () => {
    await home.newSession(['sleep', '600'], ['-s', 'kept']);
    const daemon = home.daemonPid();
    const installed = await home.run(['service', 'install']);
    expect(installed.stdout).toContain(`enabled ccmux.service; the daemon running now (pid ${daemon}) is not the service's`);
    expect(systemctlCalls()).not.toContain('--user start ccmux.service');

    // What systemd would run: it finds the socket taken and exits with the status the unit does not restart on.
    const second = await home.run(['server']);
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/error another daemon is already listening on /);
    expect((await home.json<{ name: string; state: string }[]>(['ls']))[0]).toMatchObject({ name: 'kept', state: 'running' });
    expect(fs.readFileSync(unit, 'utf8')).toContain('RestartPreventExitStatus=75\n');
  });

  it('refuses an unknown action in one line', async () => {
    const result = await home.run(['service', 'restart']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ccmux: service: expected one of install, uninstall, status, got "restart"\n');
  });
});
