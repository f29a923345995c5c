// The command table: every CLI command, in help order. Parsing, help and the daemon's vocabulary follow it.
import { attachCommand } from './attach';
import type { CommandSpec } from './command';
import { hasCommand } from './has';
import { killCommand } from './kill';
import { killServerCommand } from './kill-server';
import { lsCommand } from './ls';
import { markCommand } from './mark';
import { newCommand } from './new';
import { peekCommand } from './peek';
import { replayCommand } from './replay';
import { renameCommand } from './rename';
import { resizeCommand } from './resize';
import { rmCommand } from './rm';
import { sendCommand } from './send';
import { serverCommand } from './server';
import { statusCommand } from './status';
import { waitCommand } from './wait';

export const COMMANDS: readonly CommandSpec[] = [
  newCommand,
  attachCommand,
  lsCommand,
  killCommand,
  renameCommand,
  resizeCommand,
  rmCommand,
  sendCommand,
  peekCommand,
  waitCommand,
  markCommand,
  replayCommand,
  hasCommand,
  statusCommand,
  killServerCommand,
  serverCommand,
];
