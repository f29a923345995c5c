// ccmux's TypeScript sources for bench scripts: bundled with esbuild as the daemon and CLI use them, then required.
import { build } from 'esbuild';
import { join } from 'node:path';
import { require, root } from './harness.mjs';

/** Bundles `exports` (export statements over ./src paths) to dist/bench/<name>.cjs and loads it; natives stay external. */
export async function loadSources(name, exports) {
  const lib = join(root, 'dist', 'bench', `${name}.cjs`);
  await build({
    stdin: { contents: exports, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: lib,
    external: ['lmdb', '@homebridge/node-pty-prebuilt-multiarch'],
    define: { __CCMUX_VERSION__: '"bench"' },
    logLevel: 'warning',
  });
  return require(lib);
}
