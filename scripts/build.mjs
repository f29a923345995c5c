// Bundles ccmux with esbuild: the worker threads and the web page (embedded as strings), the daemon, a lean client, and the entry.
//
// dist/bundle/ccmux.cjs        entry: `ccmux server` loads the daemon bundle, every other command the client
// dist/bundle/ccmux-daemon.cjs everything (src/main.ts), with the web page's JS and CSS inside
// dist/bundle/ccmux-client.cjs src/main.ts without the daemon (server, PTYs, screen mirror, worker source):
//                              a fifth of the size, so the commands people type start faster.
//
// `--outdir DIR --readable` (bench/profile.mjs): the same bundles elsewhere, workers not minified, for CPU profiles.
import { build } from 'esbuild';
import { readFileSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { values: args } = parseArgs({ options: { outdir: { type: 'string' }, readable: { type: 'boolean', default: false } } });
const outdir = resolve(root, args.outdir ?? join('dist', 'bundle'));
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

// esbuild turns `import * as fs from 'node:fs'` into `__toESM(require('node:fs'))`, which copies every
// export of the module into a new object: a dozen times per start, ~1.5 ms. A builtin has no ES module
// shape to emulate, so an object that inherits from it and adds `default` reads the same, for free.
const BUILTIN_NAMESPACE = /__toESM\(require\("(node:[\w/]+)"\)\)/g;
const builtinHelper = 'var __builtin = (mod) => Object.create(mod, { default: { value: mod, enumerable: true } });';
function cheapen(text, name) {
  const prologue = '"use strict";';
  if (!text.startsWith(prologue)) throw new Error(`${name}: unexpected bundle prologue`);
  const rewritten = text.replace(BUILTIN_NAMESPACE, '__builtin(require("$1"))');
  return `${prologue}\n${builtinHelper}\n${rewritten.slice(prologue.length)}`;
}
const cheapBuiltins = {
  name: 'cheap-builtins',
  setup(pluginBuild) {
    pluginBuild.onEnd((result) => {
      for (const file of result.outputFiles ?? []) writeFileSync(file.path, cheapen(file.text, file.path));
    });
  },
};

// Workers run from source text (Worker eval), which works the same from the single binary.
async function workerSource(entry) {
  const result = await build({ ...common, entryPoints: [join(root, entry)], write: false, minify: !args.readable });
  // Rewritten here, inside the worker's own text: the daemon bundle's pass must not touch embedded code.
  return cheapen(result.outputFiles[0].text, entry);
}
const workers = {
  'mirror-worker': await workerSource('src/mirror/mirror-worker.ts'),
  'plugin-worker': await workerSource('src/plugins/plugin-worker.ts'),
};

// The web page (src/web/page): browser JS and CSS, minified, served by the daemon from these strings,
// so the single binary carries them (no CDN, no files on disk).
async function pageFiles() {
  const result = await build({
    ...common,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    format: 'iife',
    entryPoints: { app: join(root, 'src/web/page/app.ts'), login: join(root, 'src/web/page/login.ts') },
    outdir: join(outdir, 'page'),
    write: false,
    minify: true,
  });
  return Object.fromEntries(result.outputFiles.map((file) => [file.path.slice(file.path.lastIndexOf('/') + 1), file.text]));
}
const page = await pageFiles();

const virtualWorker = {
  name: 'virtual-workers',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^virtual:(mirror|plugin)-worker$/ }, (args) => ({ path: args.path.slice('virtual:'.length), namespace: 'virtual' }));
    pluginBuild.onLoad({ filter: /^(mirror|plugin)-worker$/, namespace: 'virtual' }, (args) => ({
      contents: `module.exports = { default: ${JSON.stringify(workers[args.path])} };`,
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^virtual:web-page$/ }, () => ({ path: 'web-page', namespace: 'virtual' }));
    pluginBuild.onLoad({ filter: /^web-page$/, namespace: 'virtual' }, () => ({ contents: `module.exports = { default: ${JSON.stringify(page)} };`, loader: 'js' }));
  },
};

// The client never runs the daemon (the entry sends `server` to the daemon bundle), so it leaves it out.
const daemonModule = join(root, 'src', 'server', 'daemon');
const withoutDaemon = {
  name: 'without-daemon',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/daemon$/ }, (args) =>
      resolve(args.resolveDir, args.path) === daemonModule ? { path: 'daemon', namespace: 'virtual' } : undefined,
    );
    pluginBuild.onLoad({ filter: /^daemon$/, namespace: 'virtual' }, () => ({
      contents: `throw new Error('internal: the daemon is in ccmux-daemon.cjs; run it as \`ccmux server\`');`,
      loader: 'js',
    }));
  },
};

// Native addons stay outside the bundles; node resolves them from node_modules (or pkg's assets).
const external = ['@homebridge/node-pty-prebuilt-multiarch', 'lmdb'];
const bundle = (outfile, plugin) =>
  build({ ...common, entryPoints: [join(root, 'src/main.ts')], outfile: join(outdir, outfile), external, write: false, plugins: [plugin, cheapBuiltins] });
await Promise.all([bundle('ccmux-daemon.cjs', virtualWorker), bundle('ccmux-client.cjs', withoutDaemon)]);

// Literal require()s, so that pkg's walker puts both bundles into the single binary.
const entryFile = join(outdir, 'ccmux.cjs');
writeFileSync(
  entryFile,
  `#!/usr/bin/env node
'use strict';
// Generated by scripts/build.mjs: the daemon loads the full bundle, every other command the lean client.
// V8's compile cache (Node's default place, under the temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off)
// saves compiling the bundle again on every start.
require('node:module').enableCompileCache?.();
if (process.argv[2] === 'server') require('./ccmux-daemon.cjs');
else require('./ccmux-client.cjs');
`,
);
chmodSync(entryFile, 0o755);
