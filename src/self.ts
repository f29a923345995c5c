// How this program re-executes itself (for the daemon): the single binary alone, or node plus the bundle.

export interface Invocation {
  file: string;
  args: string[];
}

let singleBinary: boolean | undefined;

/**
 * True inside the single executable (`dist/ccmux`, pkg in SEA mode): Node's own SEA marker, which
 * needs no script to run. `process.pkg` covers pkg's classic (non-SEA) mode.
 */
export function isSingleBinary(): boolean {
  if (singleBinary === undefined) {
    let sea = false;
    try {
      sea = (require('node:sea') as { isSea(): boolean }).isSea();
    } catch {
      // A Node without node:sea is not running as a single executable.
    }
    singleBinary = sea || (process as { pkg?: unknown }).pkg !== undefined;
  }
  return singleBinary;
}

export function selfInvocation(): Invocation {
  if (isSingleBinary()) return { file: process.execPath, args: [] };
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which script to re-run for the daemon');
  return { file: process.execPath, args: [...process.execArgv, script] };
}
