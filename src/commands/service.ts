// `ccmux service install | uninstall | status`: the daemon as a systemd user service, so that sessions
// outlive the login (with lingering on) — and what to do where there is no systemd.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CcmuxError, EXIT } from '../errors';
import { ensurePrivateDir } from '../paths';
import { isSingleBinary, selfInvocation } from '../self';
import { UNIT_NAME, installedSocket, systemctl, unitPath, unitText } from '../service/systemd';
import { VERSION } from '../version';
import { printJson, type CommandContext, type CommandSpec } from './command';

const ACTIONS = ['install', 'uninstall', 'status'] as const;

function user(): string {
  return os.userInfo().username;
}

/** Lingering keeps the user's systemd (and so the service) running with nobody logged in. */
function lingering(): boolean {
  return fs.existsSync(path.join('/var/lib/systemd/linger', user()));
}

/** Whether this user's systemd can be talked to (false in containers, on non-systemd systems, over some su/sudo). */
function userSystemd(): { ok: boolean; why: string } {
  const probe = systemctl(['show-environment']);
  return { ok: probe.ok, why: probe.error.split('\n')[0] || 'systemctl is not available' };
}

const NO_SYSTEMD = (why: string) => `systemd is not available for this user (${why}). Without it:
  - the daemon \`ccmux new\` starts is already detached from the terminal (its own session, no controlling
    tty), so it outlives the login unless the system kills every process of a user who logs out
    (logind's KillUserProcesses=yes);
  - to have a daemon at boot, add to \`crontab -e\`:  @reboot ${selfInvocation().file} server
  - or start it from a login script: \`ccmux status >/dev/null || ccmux server &\``;

async function daemonPid(context: CommandContext): Promise<number | undefined> {
  try {
    const connection = await context.connect();
    const status = await connection.request('status', {});
    connection.close();
    return status.pid;
  } catch (error) {
    if ((error as { code?: string }).code === 'no-daemon') return undefined;
    throw error;
  }
}

async function install(context: CommandContext): Promise<number> {
  const file = unitPath();
  const self = selfInvocation();
  ensurePrivateDir(context.paths.stateDir); // systemd opens the log file before the daemon runs
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, unitText({ self, paths: context.paths, version: VERSION }), { mode: 0o644 });
  const say = (text: string) => process.stderr.write(`${text}\n`);
  context.print(`wrote ${file}`);
  if (!isSingleBinary()) say(`note: the unit runs ${self.file} ${self.args.join(' ')}; install the single binary (\`make install\`) for a path that stays put`);
  const systemd = userSystemd();
  if (!systemd.ok) {
    say(NO_SYSTEMD(systemd.why));
    return EXIT.ok;
  }
  for (const step of [['daemon-reload'], ['enable', UNIT_NAME]]) {
    const result = systemctl(step);
    if (!result.ok) throw new CcmuxError('io', `systemctl --user ${step.join(' ')} failed: ${result.error}`);
  }
  const running = await daemonPid(context);
  if (running === undefined) {
    const started = systemctl(['start', UNIT_NAME]);
    if (!started.ok) throw new CcmuxError('io', `systemctl --user start ${UNIT_NAME} failed: ${started.error}`);
    context.print(`enabled and started ${UNIT_NAME}; clients use it (socket ${context.paths.socket})`);
  } else {
    context.print(`enabled ${UNIT_NAME}; the daemon running now (pid ${running}) is not the service's and keeps its sessions:`);
    context.print('the service takes over once it stops (`ccmux kill-server` ends its sessions) or at the next login');
  }
  if (!lingering()) {
    say(`lingering is off: systemd stops the service, and every session, when you log out. To keep them:\n  loginctl enable-linger ${user()}`);
  }
  return EXIT.ok;
}

async function uninstall(context: CommandContext): Promise<number> {
  const file = unitPath();
  if (!fs.existsSync(file)) {
    context.print(`${UNIT_NAME} is not installed (${file} does not exist)`);
    return EXIT.ok;
  }
  const systemd = userSystemd();
  let active = false;
  if (systemd.ok) {
    // Disabled, not stopped: stopping would end every session. `ccmux kill-server` does that when wanted.
    systemctl(['disable', UNIT_NAME]);
    active = systemctl(['is-active', UNIT_NAME]).ok;
  }
  fs.rmSync(file, { force: true });
  if (systemd.ok) systemctl(['daemon-reload']);
  context.print(`removed ${file}`);
  if (active) context.print('the daemon it started keeps running with its sessions until `ccmux kill-server`');
  return EXIT.ok;
}

async function status(context: CommandContext): Promise<number> {
  const file = unitPath();
  const socket = installedSocket(file);
  const systemd = userSystemd();
  const query = (args: string[]) => (systemd.ok ? systemctl(args).output : '');
  const mainPid = Number(query(['show', '--property=MainPID', '--value', UNIT_NAME])) || null;
  const report = {
    unit: file,
    installed: socket !== undefined,
    socket: socket ?? null,
    sameSocket: socket === undefined ? null : socket === context.paths.socket,
    systemd: systemd.ok,
    enabled: systemd.ok ? query(['is-enabled', UNIT_NAME]) || 'unknown' : null,
    active: systemd.ok ? query(['is-active', UNIT_NAME]) || 'unknown' : null,
    servicePid: mainPid,
    daemonPid: (await daemonPid(context)) ?? null,
    lingering: lingering(),
  };
  if (context.options.json) {
    printJson(context, report);
    return EXIT.ok;
  }
  const lines = [`unit      ${file} (${report.installed ? 'installed' : 'not installed: `ccmux service install`'})`];
  if (report.installed && !report.sameSocket) lines.push(`socket    ${socket}: not this shell's (${context.paths.socket}); check CCMUX_HOME and XDG_RUNTIME_DIR, then install again`);
  lines.push(systemd.ok ? `systemd   ${report.enabled}, ${report.active}${mainPid ? `, pid ${mainPid}` : ''}` : `systemd   not available (${systemd.why})`);
  const owner = report.daemonPid === null ? 'none running' : report.daemonPid === mainPid ? `pid ${report.daemonPid}, the service's` : `pid ${report.daemonPid}, not the service's`;
  lines.push(`daemon    ${owner}`);
  lines.push(`linger    ${report.lingering ? 'on: sessions outlive the login' : `off: \`loginctl enable-linger ${user()}\` keeps sessions after logout`}`);
  context.print(lines.join('\n'));
  return EXIT.ok;
}

export const serviceCommand: CommandSpec = {
  name: 'service',
  args: '<action>',
  summary: 'the daemon as a systemd user service: sessions outlive the login',
  group: 'Daemon',
  values: { action: ACTIONS },
  examples: ['ccmux service install && loginctl enable-linger "$USER"', 'ccmux service status', 'ccmux service uninstall'],
  options: [{ flags: '--json', description: 'with status: print JSON for scripts' }],
  async run(context) {
    const action = context.args[0]!;
    switch (action) {
      case 'install':
        return install(context);
      case 'uninstall':
        return uninstall(context);
      case 'status':
        return status(context);
      default:
        throw new CcmuxError('usage', `service: expected one of ${ACTIONS.join(', ')}, got "${action}"`);
    }
  },
};
