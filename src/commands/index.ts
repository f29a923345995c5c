// The command table: every CLI command, in help order. Parsing, help and the daemon's vocabulary follow it.
import { attachCommand } from './attach';
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
import { renameCommand } from './rename';
import { resizeCommand } from './resize';
import { respawnCommand } from './respawn';
import { rmCommand } from './rm';
import { searchCommand } from './search';
import { sendCommand } from './send';
import { serverCommand } from './server';
import { statusCommand } from './status';
import { tokenCommand } from './token';
import { waitCommand } from './wait';
import { webCommand } from './web';

export const COMMANDS: readonly CommandSpec[] = [
  newCommand,
  attachCommand,
  lsCommand,
  killCommand,
  renameCommand,
  resizeCommand,
  rmCommand,
  respawnCommand,
  muteCommandSpec,
  unmuteCommandSpec,
  sendCommand,
  peekCommand,
  waitCommand,
  hasCommand,
  eventsCommand,
  notifyCommand,
  searchCommand,
  markCommand,
  exportCommand,
  importCommand,
  pruneCommand,
  statusCommand,
  webCommand,
  tokenCommand,
  pluginsCommand,
  killServerCommand,
  serverCommand,
  hookCommand,
];
