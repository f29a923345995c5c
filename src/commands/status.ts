// `ccmux status`: the daemon at a glance — or, when none runs, where it would be (exit status 3).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError, EXIT } from '../errors';
import type { Paths } from '../paths';
import type { StatusResult } from '../protocol/requests';
import { colorsFor } from '../util/color';
import { VERSION } from '../version';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { formatBytes } from './format';

/** Up time as two units: 45s, 12m 5s, 3h 12m, 2d 4h. */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m, s] = [Math.floor(seconds / 86_400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

function storeBytes(paths: Paths): number | null {
  try {
    return fs.statSync(path.join(paths.store, 'data.mdb')).size;
  } catch {
    return null;
  }
}

function configNote(file: string): string {
  return fs.existsSync(file) ? file : `${file} (not created: defaults)`;
}

function sessionsLine(status: StatusResult): string {
  const { running, exited, lost } = status.sessions;
  const agents = Object.entries(status.agents)
    .sort(([a], [b]) => (a === 'needs-input' ? -1 : b === 'needs-input' ? 1 : a.localeCompare(b)))
    .map(([state, count]) => `${count} ${state}`);
  return [`${running} running${agents.length ? ` (${agents.join(', ')})` : ''}`, `${exited} exited`, ...(lost ? [`${lost} lost`] : [])].join(', ');
}

function pluginsLine(status: StatusResult): string {
  if (!status.plugins.length) return 'none';
  return status.plugins.map((plugin) => (plugin.state === 'active' ? plugin.name : `${plugin.name} (${plugin.state}${plugin.error ? `: ${plugin.error}` : ''})`)).join(', ');
}

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'the daemon at a glance: pid, uptime, paths, store size, sessions, plugins (exit 3: none)',
  group: 'Daemon',
  examples: ['ccmux status', 'ccmux status --json | jq .sessions', 'ccmux status >/dev/null || echo "no daemon"'],
  options: [JSON_OPTION],
  async run(context) {
    const { paths } = context;
    let status: StatusResult;
    try {
      const connection = await context.connect();
      status = await connection.request('status', {});
      connection.close();
    } catch (error) {
      if (!(error instanceof CcmuxError) || error.code !== 'no-daemon') throw error;
      const bytes = storeBytes(paths);
      if (context.options.json) {
        printJson(context, { running: false, version: VERSION, socket: paths.socket, log: paths.log, store: paths.store, storeBytes: bytes ?? 0, config: paths.configFile });
      } else {
        context.print(
          [
            `ccmux ${VERSION}: no daemon is running (\`ccmux new\` starts one)`,
            `socket    ${paths.socket}`,
            `store     ${paths.store}${bytes === null ? ' (no recordings yet)' : ` (${formatBytes(bytes)}; \`ccmux ls\` lists what it holds)`}`,
            `log       ${paths.log}`,
            `config    ${configNote(paths.configFile)}`,
          ].join('\n'),
        );
      }
      // The one-line reason on stderr, as every command that needs a daemon gives it; exit 3.
      throw error;
    }
    if (context.options.json) {
      printJson(context, { running: true, ...status });
      return EXIT.ok;
    }
    const colors = colorsFor(process.stdout);
    const versionNote = status.version === VERSION ? '' : ` (this client is ${VERSION}: \`ccmux kill-server\` and start again to upgrade)`;
    const lines = [
      `ccmux ${status.version}: daemon ${colors.paint('running', 'green')}, pid ${status.pid}, up ${formatUptime(Date.now() - status.startedAt)}${status.managedBy ? `, managed by ${status.managedBy}` : ''}${versionNote}`,
      `socket    ${status.socket}`,
      `store     ${status.store} (${formatBytes(status.storeBytes)})`,
      `log       ${status.log}`,
      `config    ${configNote(status.config)}`,
      `sessions  ${sessionsLine(status)}`,
      `clients   ${status.attachedClients} attached`,
      ...(status.web ? [`web       ${status.web.url}`] : []),
      `plugins   ${pluginsLine(status)}`,
      ...(status.recordingError ? [colors.paint(`recording degraded: ${status.recordingError}`, 'yellow')] : []),
    ];
    context.print(lines.join('\n'));
    return EXIT.ok;
  },
};
