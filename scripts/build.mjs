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

// Workers run from source text (Worker eval), which works the same from the single binary.
async function workerSource(entry) {
  const result = await build({ ...common, entryPoints: [join(root, entry)], write: false, minify: true });
  return result.outputFiles[0].text;
}
const workers = {
  'mirror-worker': await workerSource('src/mirror/mirror-worker.ts'),
  'plugin-worker': await workerSource('src/plugins/plugin-worker.ts'),
};

const virtualWorker = {
  name: 'virtual-workers',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^virtual:(mirror|plugin)-worker$/ }, (args) => ({ path: args.path.slice('virtual:'.length), namespace: 'virtual' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({
      contents: `module.exports = { default: ${JSON.stringify(workers[args.path])} };`,
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
