// Bundles ccmux with esbuild: the screen-mirror worker first (embedded as a string), then the CLI + daemon.
import { build } from 'esbuild';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outdir = join(root, 'dist', 'bundle');
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __CCMUX_VERSION__: JSON.stringify(version) },
};

// The worker runs from source text (Worker eval), which works the same from the single binary.
const worker = await build({
  ...common,
  entryPoints: [join(root, 'src/mirror/mirror-worker.ts')],
  write: false,
  minify: true,
});
const workerSource = worker.outputFiles[0].text;

const virtualWorker = {
  name: 'virtual-mirror-worker',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^virtual:mirror-worker$/ }, () => ({ path: 'mirror-worker', namespace: 'virtual' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'virtual' }, () => ({
      contents: `module.exports = { default: ${JSON.stringify(workerSource)} };`,
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: [join(root, 'src/main.ts')],
  outfile: join(outdir, 'ccmux.cjs'),
  // Native addons stay outside the bundle; node resolves them from node_modules (or pkg's assets).
  external: ['@homebridge/node-pty-prebuilt-multiarch', 'lmdb'],
  plugins: [virtualWorker],
  banner: { js: '#!/usr/bin/env node' },
});
