// How this program re-executes itself (for the daemon): the single binary alone, or node plus the bundle.

export interface Invocation {
  file: string;
  args: string[];
}

/** True inside the single executable built by pkg (its runtime marks itself on `process`). */
export function isSingleBinary(): boolean {
  return Boolean((process as { pkg?: unknown }).pkg) || require('node:sea')?.isSea?.() === true;
}

export function selfInvocation(): Invocation {
  if (isSingleBinary()) return { file: process.execPath, args: [] };
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which script to re-run for the daemon');
  return { file: process.execPath, args: [...process.execArgv, script] };
}
