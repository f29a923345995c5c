// Packages dist/bundle/ccmux.cjs into the single executable dist/ccmux with @yao-pkg/pkg (SEA mode), offline.
//
// Run it with the Node that the binary should embed (make uses the pinned .toolchain one): that exact
// binary becomes the runtime inside dist/ccmux, and pkg never downloads anything. See docs/BUILD.md.
//
//   node scripts/package.mjs [--target <os>-<arch>] [--node <node binary of the target>] [--output <file>]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    target: { type: 'string', default: `${process.platform}-${process.arch}` },
    node: { type: 'string', default: process.execPath },
    output: { type: 'string', default: join(root, 'dist', 'ccmux') },
  },
});
const [os, arch] = options.target.split('-');
if (!['linux', 'darwin'].includes(os) || !['x64', 'arm64'].includes(arch)) {
  throw new Error(`--target must be linux-x64, linux-arm64, darwin-x64 or darwin-arm64, not ${options.target}`);
}
const version = process.versions.node;
const targetNode = resolve(options.node);
const crossBuild = options.target !== `${process.platform}-${process.arch}`;
if (crossBuild && targetNode === process.execPath) throw new Error(`a ${options.target} build needs --node <the node binary for ${options.target}>`);

// pkg's SEA mode looks for ~/.pkg-cache/sea/node-v<ver>-<os>-<arch>.tar.gz (+ an empty .ok file, which
// tells it the archive was verified) and for the extracted <name>/bin/node (+ bin/node.ok); when both are
// there it downloads nothing. HOME points pkg at a cache inside the tree, so the build never touches
// the user's home and worktrees don't share (and race on) one cache.
const pkgHome = join(root, '.cache', 'pkg-home');
const seaCache = join(pkgHome, '.pkg-cache', 'sea');
const baseName = `node-v${version}-${os}-${arch}`;
const extracted = join(seaCache, baseName, 'bin', 'node');
const archive = join(seaCache, `${baseName}.tar.gz`);
if (!existsSync(`${archive}.ok`) || !existsSync(`${extracted}.ok`)) {
  rmSync(join(seaCache, baseName), { recursive: true, force: true });
  mkdirSync(dirname(extracted), { recursive: true });
  copyFileSync(targetNode, extracted);
  // The tarball's layout is node.org's: <name>/bin/node. gzip -1: pkg only checks that it exists.
  execFileSync('sh', ['-c', 'tar -C "$1" -cf - "$2/bin/node" | gzip -1 > "$3.tmp" && mv "$3.tmp" "$3"', 'sh', seaCache, baseName, archive]);
  writeFileSync(`${archive}.ok`, '');
  writeFileSync(`${extracted}.ok`, '');
}

// pkg walks every `dependencies` entry of the package.json it is given, which would put the sources of
// every package (already inside the bundle) into the binary a second time. So pkg gets a package.json of
// its own: the bundle as `bin`, no dependencies, and the `pkg` section of ours (asset paths rebased).
// It then follows only the bundle's require()s of the native packages, plus the listed assets.
const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!existsSync(join(root, project.bin.ccmux))) throw new Error(`${project.bin.ccmux} is missing: run scripts/build.mjs (make build) first`);
const stage = join(root, 'dist', 'pkg');
mkdirSync(stage, { recursive: true });
const forTarget = (pattern) => pattern.replaceAll('linux-x64', options.target);
const assets = project.pkg.assets.map(forTarget);
const ignore = project.pkg.ignore.map(forTarget);
checkAssets(assets, ignore);
const rebase = (pattern) => relative(stage, join(root, pattern));
writeFileSync(
  join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: project.name,
      version: project.version,
      bin: relative(stage, join(root, project.bin.ccmux)),
      pkg: { ...project.pkg, assets: assets.map(rebase), ignore },
    },
    null,
    2,
  )}\n`,
);

const pkgTarget = `node${version}-${os === 'darwin' ? 'macos' : os}-${arch}`;
const temporary = `${options.output}.tmp`;
rmSync(temporary, { force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules', '@yao-pkg', 'pkg', 'lib-es5', 'bin.js'), join(stage, 'package.json'), '--sea', '--targets', pkgTarget, '--output', temporary],
  { stdio: 'inherit', env: { ...process.env, HOME: pkgHome } },
);
// Fail here rather than ship a binary that cannot find an addon at run time (make would keep it).
if (!crossBuild) smokeTest(temporary);
renameSync(temporary, options.output);

/** Every asset must exist, survive `ignore`, and name this Node's ABI (Node 24 = 137) if it names one. */
function checkAssets(assetPatterns, ignorePatterns) {
  const problems = [];
  for (const pattern of assetPatterns) {
    const files = globSync(pattern, { cwd: root }).filter((file) => !ignorePatterns.some((ignored) => matchesGlob(join(root, file), ignored)));
    if (!files.length) problems.push(`pkg.assets "${pattern}" matches no file that pkg.ignore keeps (is the ${options.target} package installed?)`);
    const abi = /\babi(\d+)\b/.exec(pattern)?.[1];
    if (abi && abi !== process.versions.modules) {
      problems.push(`pkg.assets "${pattern}" is for ABI ${abi}, but Node ${version} has ABI ${process.versions.modules}`);
    }
  }
  if (problems.length) throw new Error(`package.json "pkg" does not fit this build:\n  ${problems.join('\n  ')}`);
}

/** Runs the new binary from an empty HOME: its version, and the lmdb self-test (natives unpack and load). */
function smokeTest(binary) {
  const home = mkdtempSync(join(tmpdir(), 'ccmux-package-'));
  try {
    const env = { PATH: '/usr/bin:/bin', HOME: home };
    const run = (extra) => execFileSync(binary, ['--version'], { env: { ...env, ...extra }, encoding: 'utf8' }).trim();
    if (run({}) !== project.version) throw new Error(`${binary} --version did not print ${project.version}`);
    const selfTest = JSON.parse(run({ CCMUX_SELFTEST: 'lmdb' }));
    if (selfTest.lmdb !== 'ok' || selfTest.msgpackrNative !== true) throw new Error(`${binary}: lmdb self-test failed: ${JSON.stringify(selfTest)}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
