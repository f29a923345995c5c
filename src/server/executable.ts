// Finds the program a session runs, so that a typo is an error at `new` rather than a session that dies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError } from '../errors';

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `command` as execvp would find it, or a CcmuxError naming what is wrong. */
export function resolveExecutable(command: string, searchPath: string | undefined, cwd: string): string {
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    if (!isExecutableFile(file)) throw new CcmuxError('not-found', `${command}: no such executable file`);
    return file;
  }
  for (const dir of (searchPath ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const file = path.resolve(cwd, dir || '.', command);
    if (isExecutableFile(file)) return file;
  }
  throw new CcmuxError('not-found', `${command}: command not found`);
}

export function checkDirectory(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CcmuxError('not-found', `${dir}: no such directory`);
  }
  if (!stat.isDirectory()) throw new CcmuxError('bad-request', `${dir}: not a directory`);
}
