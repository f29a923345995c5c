// Loads native addons, turning the single binary's unpack failures (read-only or full disk) into one line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CcmuxError, describeError } from './errors';
import { isSingleBinary } from './self';

/** Errors from unpacking the addon (mkdir, write) or from loading it (e.g. a noexec mount). */
const UNPACK_ERRORS = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'ENOENT', 'EEXIST', 'ERR_DLOPEN_FAILED']);

/**
 * Where the single binary unpacks native addons before loading them: pkg copies each addon's
 * package to `$PKG_NATIVE_CACHE_PATH/pkg/<sha256>/` (default `~/.cache/pkg/<sha256>/`) on first use.
 */
export function nativeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.PKG_NATIVE_CACHE_PATH || path.join(os.homedir(), '.cache'), 'pkg');
}

/** A recursive mkdir on a read-only filesystem reports ENOENT; ask the nearest existing parent why. */
function explain(error: unknown, dir: string): string {
  const message = describeError(error).split('\n')[0]!;
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return message;
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return message;
  } catch (cause) {
    return describeError(cause);
  }
}

/** Runs `load` (a require of a native addon); in the single binary, explains unpack failures. */
export function loadNative<T>(name: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!isSingleBinary() || !code || !UNPACK_ERRORS.has(code)) throw error;
    const dir = nativeCacheDir();
    throw new CcmuxError(
      'unavailable',
      `cannot unpack the ${name} native addon into ${dir} (${explain(error, dir)}); set PKG_NATIVE_CACHE_PATH to a writable directory on a filesystem that allows executables`,
      undefined,
      { cause: error },
    );
  }
}
