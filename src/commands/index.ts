// The command table: every CLI command, in help order. Parsing, help and the daemon's vocabulary follow it.
import { attachCommand } from './attach';
import { completionCommand, sessionNamesCommand } from './completion';
import { configCommand } from './config';
import type { CommandSpec } from './command';
import { eventsCommand } from './events';
import { exportCommand } from './export';
import { hasCommand } from './has';
import { hookCommand } from './hook';
import { importCommand } from './import';
import { killCommand } from './kill';
import { killServerCommand } from './kill-server';
import { lsCommand } from './ls';
import { markCommand } from './mark';
import { muteCommandSpec, unmuteCommandSpec } from './mute';
import { notifyCommand } from './notify';
import { newCommand } from './new';
import { peekCommand } from './peek';
import { pluginsCommand } from './plugins';
import { pruneCommand } from './prune';
import { replayCommand } from './replay';
import { renameCommand } from './rename';
import { resizeCommand } from './resize';
import { respawnCommand } from './respawn';
import { rmCommand } from './rm';
import { searchCommand } from './search';
import { sendCommand } from './send';
import { serverCommand } from './server';
import { serviceCommand } from './service';
import { statusCommand } from './status';
import { tailCommand } from './tail';
import { tokenCommand } from './token';
import { waitCommand } from './wait';
import { webCommand } from './web';

export const COMMANDS: readonly CommandSpec[] = [
  // Start and manage sessions.
  newCommand,
  lsCommand,
  renameCommand,
  resizeCommand,
  killCommand,
  respawnCommand,
  rmCommand,
  // Watch them and get notified.
  tailCommand,
  peekCommand,
  waitCommand,
  eventsCommand,
  muteCommandSpec,
  unmuteCommandSpec,
  notifyCommand,
  // Step in and script.
  attachCommand,
  sendCommand,
  hasCommand,
  // Look back at what happened.
  replayCommand,
  searchCommand,
  markCommand,
  exportCommand,
  importCommand,
  pruneCommand,
  // Set up, and the daemon.
  statusCommand,
  configCommand,
  completionCommand,
  serviceCommand,
  webCommand,
  tokenCommand,
  pluginsCommand,
  killServerCommand,
  serverCommand,
  hookCommand,
  sessionNamesCommand,
];
