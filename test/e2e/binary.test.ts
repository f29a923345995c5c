// End-to-end: the single executable dist/ccmux, copied to a temp dir and run with a clean environment (env -i).
//
// Only PATH (a directory of a few system tools, with no node in it), a temp HOME, TERM and the test's own
// CCMUX_HOME reach the binary: no Node, no node_modules, no network. `make test` builds the binary first.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCast } from '../../src/recording/cast-reader';
import { CcmuxHome, ROOT, alive } from '../helpers/ccmux';
import { TestTerminal } from '../helpers/terminal';
import { waitUntil } from '../helpers/wait-until';
import { WsClient } from '../helpers/ws-client';

const BUILT = process.env.CCMUX_BIN ?? path.join(ROOT, 'dist', 'ccmux');
/** What the sessions and the tests need from the system; deliberately no node. */
const TOOLS = ['bash', 'sh', 'sleep'];
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let sandbox: string;
let binary: string;
let toolsDir: string;
/** The home of the running test, cleaned up (daemon killed by pid) after it. */
let current: CcmuxHome | undefined;
const terminals: TestTerminal[] = [];

function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${tool} is not on PATH`);
}

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`make dist\` (\`make test\` builds it)`);
  const built = fs.statSync(BUILT).mtimeMs;
  const newer = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).find((file) => fs.statSync(path.join(ROOT, 'src', file)).mtimeMs > built);
  if (!process.env.CCMUX_BIN && newer) throw new Error(`dist/ccmux is older than src/${newer}: run \`make dist\` (\`make test\` does)`);
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-e2e-'));
  binary = path.join(sandbox, 'bin', 'ccmux');
  fs.mkdirSync(path.dirname(binary));
  fs.copyFileSync(BUILT, binary);
  fs.chmodSync(binary, 0o755);
  toolsDir = path.join(sandbox, 'tools');
  fs.mkdirSync(toolsDir);
  for (const tool of TOOLS) fs.symlinkSync(which(tool), path.join(toolsDir, tool));
});

afterAll(() => {
  fs.rmSync(sandbox, { recursive: true, force: true });
});

/** A CcmuxHome whose commands run the copied binary with nothing but the clean environment. */
function cleanHome(extra: Record<string, string> = {}): CcmuxHome {
  process.env.CCMUX_BIN = binary;
  const created = new CcmuxHome();
  const userHome = path.join(created.dir, 'user');
  fs.mkdirSync(userHome);
  for (const key of Object.keys(created.env)) delete created.env[key];
  Object.assign(created.env, { PATH: toolsDir, HOME: userHome, TERM: 'xterm-256color', CCMUX_HOME: created.dir, ...extra });
  current = created;
  return created;
}

function attachTerminal(home: CcmuxHome, args: string[], env: Record<string, string> = {}): TestTerminal {
  const terminal = new TestTerminal(binary, ['attach', ...args], { cols: 80, rows: 24, env: { ...home.env, ...env }, cwd: sandbox });
  terminals.push(terminal);
  return terminal;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
}

interface SessionJson {
  name: string;
  state: string;
  pid: number | null;
}

const shell = ['bash', '--norc', '--noprofile'];

describe('the single binary', () => {
  afterEach(async () => {
    for (const terminal of terminals.splice(0)) await terminal.dispose();
    await current?.cleanup();
    current = undefined;
  });

  it('runs with no node on PATH and prints its version', async () => {
    const home = cleanHome();
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: home.env }).status).not.toBe(0);
    expect((await home.ok(['--version'])).trim()).toBe(VERSION);
  });

  it('new -d starts the daemon by re-executing itself; send, peek, ls --json and kill work', async () => {
    const home = cleanHome();
    const name = await home.newSession(shell, ['-s', 'e2e']);
    expect(name).toBe('e2e');
    const daemon = home.daemonPid()!;
    home.track(daemon);
    // The daemon is this very file run as `ccmux server`: no node, no script path.
    expect(fs.readlinkSync(`/proc/${daemon}/exe`)).toBe(binary);
    expect(fs.readFileSync(`/proc/${daemon}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual([binary, 'server']);

    await home.ok(['send', 'e2e', 'echo "six times seven is $((6*7))"']);
    await home.waitForScreen('e2e', (s) => s.includes('six times seven is 42'), 'the command output');
    const [session] = await home.json<SessionJson[]>(['ls']);
    expect(session).toMatchObject({ name: 'e2e', state: 'running' });

    await home.ok(['kill', 'e2e']);
    await waitUntil('the session to be reported exited', async () => (await home.json<SessionJson[]>(['ls']))[0]?.state === 'exited');
    expect(alive(session!.pid!)).toBe(false);
  });

  it('attaches through a PTY, shows the screen, and detaches on C-b d leaving the session running', async () => {
    const home = cleanHome();
    await home.newSession(['bash', '-c', 'echo ATTACH-ME; exec sleep 600'], ['-s', 'watched']);
    await home.waitForScreen('watched', (s) => s.includes('ATTACH-ME'), 'the session output');
    const terminal = attachTerminal(home, ['watched']);
    await terminal.waitForScreen((s) => s.includes('ATTACH-ME'), 'the attached screen');
    terminal.write('\x02d');
    expect((await terminal.exited).exitCode).toBe(0);
    await terminal.waitForScreen((s) => s.includes('[detached (from session watched)]'), 'the detach message');
    const [session] = await home.json<SessionJson[]>(['ls']);
    expect(session).toMatchObject({ name: 'watched', state: 'running' });
  });

  it('kill-server stops the daemon and its sessions', async () => {
    const home = cleanHome();
    await home.newSession(['sleep', '600'], ['-s', 'doomed']);
    const daemon = home.daemonPid()!;
    const [session] = await home.json<SessionJson[]>(['ls']);
    await home.ok(['kill-server']);
    await waitUntil('the daemon and the session to exit', () => !alive(daemon) && !alive(session!.pid!));
    const status = await home.run(['status']);
    expect(status.code).toBe(3);
  });

  it('loads lmdb and its natives (CCMUX_SELFTEST=lmdb), unpacked under ~/.cache/pkg', async () => {
    const home = cleanHome();
    const result = await home.run([], { env: { CCMUX_SELFTEST: 'lmdb' } });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ lmdb: 'ok', msgpackrNative: true });
    const unpacked = filesUnder(path.join(home.env.HOME!, '.cache', 'pkg'));
    expect(unpacked).toContainEqual(expect.stringMatching(/^[0-9a-f]{64}\/@lmdb\/lmdb-linux-x64\/node\.napi\.glibc\.node$/));
    expect(unpacked).toContainEqual(expect.stringMatching(/^[0-9a-f]{64}\/@msgpackr-extract\/msgpackr-extract-linux-x64\/node\.napi\.glibc\.node$/));
  });

  it('commands that only talk to the daemon load no native addon (neither node-pty nor lmdb)', async () => {
    // pkg unpacks an addon into $PKG_NATIVE_CACHE_PATH the moment it is loaded: the daemon gets one
    // directory, the client commands another, which must stay empty.
    const daemonCache = path.join(os.tmpdir(), `ccmux-e2e-daemon-cache-${process.pid}`);
    const clientCache = path.join(os.tmpdir(), `ccmux-e2e-client-cache-${process.pid}`);
    const home = cleanHome({ PKG_NATIVE_CACHE_PATH: daemonCache });
    try {
      await home.newSession(shell, ['-s', 'lean']);
      expect(filesUnder(daemonCache)).toContainEqual(expect.stringMatching(/node-pty-prebuilt-multiarch\/prebuilds\/linux-x64\/node\.abi137\.node$/));
      const client = { env: { PKG_NATIVE_CACHE_PATH: clientCache } };
      await home.ok(['ls'], client);
      await home.ok(['ls', '--json'], client);
      await home.ok(['send', 'lean', 'echo LEAN-$((1+1))'], client);
      await waitUntil('the sent command to run', async () => (await home.ok(['peek', 'lean'], client)).includes('LEAN-2'));
      await home.ok(['status'], client);
      expect(await home.ok(['tail', '-n', '3', 'lean'], client)).toContain('LEAN-2\n');
      expect(await home.ok(['tail', '--raw', 'lean'], client)).toContain('LEAN-2');
      expect(await home.ok(['__sessions'], client)).toBe('lean\n');
      const terminal = attachTerminal(home, ['lean'], client.env);
      await terminal.waitForScreen((s) => s.includes('LEAN-2'), 'the attached screen');
      terminal.write('\x02d');
      await terminal.exited;
      expect(filesUnder(clientCache)).toEqual([]);
    } finally {
      fs.rmSync(daemonCache, { recursive: true, force: true });
      fs.rmSync(clientCache, { recursive: true, force: true });
    }
  });

  it('service install writes a unit that runs this very file as the daemon (no systemd here: the fallback)', async () => {
    const home = cleanHome();
    const config = path.join(home.dir, 'xdg-config');
    const result = await home.run(['service', 'install'], { env: { XDG_CONFIG_HOME: config } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('systemd is not available for this user');
    const unit = fs.readFileSync(path.join(config, 'systemd', 'user', 'ccmux.service'), 'utf8');
    expect(unit).toContain(`ExecStart="${binary}" "server"\n`);
    expect(unit).toContain(`Environment="CCMUX_HOME=${home.dir}"\n`);
  });

  it('explains in one line when natives cannot be unpacked, and PKG_NATIVE_CACHE_PATH fixes it', async () => {
    const home = cleanHome();
    const notADirectory = path.join(home.dir, 'a-file');
    fs.writeFileSync(notADirectory, '');
    const failed = await home.run(['new', '-d', '--', 'sleep', '600'], { env: { PKG_NATIVE_CACHE_PATH: notADirectory } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^ccmux: .*cannot unpack the (node-pty|lmdb) native addon into .*a-file\/pkg \(ENOTDIR: .*\); set PKG_NATIVE_CACHE_PATH to a writable directory/);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    await home.run(['kill-server']); // The daemon may or may not have got far enough to be running.

    const fixed = await home.run(['new', '-d', '--', 'sleep', '600'], { env: { PKG_NATIVE_CACHE_PATH: path.join(home.dir, 'natives') } });
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
  });

  // A read-only or full filesystem needs a mount: done in a user+mount namespace where the kernel allows it.
  const canMount = spawnSync('unshare', ['-rm', 'true']).status === 0 && spawnSync('sh', ['-c', 'command -v mount']).status === 0;
  it.skipIf(!canMount)('reports a read-only, full or noexec native cache in one line', async () => {
    const home = cleanHome();
    const mountpoint = path.join(home.dir, 'mnt');
    fs.mkdirSync(mountpoint);
    const [unshare, mount] = [which('unshare'), which('mount')];
    const selfTestOn = (options: string) =>
      spawnSync(unshare, ['-rm', which('sh'), '-c', `"$1" -t tmpfs -o ${options} tmpfs "$2" && exec "$3"`, 'sh', mount, mountpoint, binary], {
        env: { ...home.env, CCMUX_SELFTEST: 'lmdb', PKG_NATIVE_CACHE_PATH: mountpoint },
        encoding: 'utf8',
      });
    for (const [options, reason] of [
      ['ro', 'EROFS: read-only'],
      ['size=64k', 'ENOSPC: no space left'],
      ['noexec', '.*failed to map segment'],
    ]) {
      const result = selfTestOn(options!);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^ccmux: cannot unpack the lmdb native addon into ${mountpoint}/pkg \\(${reason}.*\\); set PKG_NATIVE_CACHE_PATH`));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  // Recordings (issue: recording) add their end-to-end checks here, against the same binary:
  it('replays a recorded session in a terminal, and with the daemon down', async () => {
    const home = cleanHome();
    await home.newSession(['bash', '-c', 'echo REPLAY-ONE; sleep 0.3; echo REPLAY-TWO'], ['-s', 'played']);
    await home.ok(['wait', 'played', '--until', 'exit']);
    const terminal = new TestTerminal(binary, ['replay', 'played', '--speed', '4'], { env: home.env, cwd: home.dir });
    terminals.push(terminal);
    await terminal.waitForScreen((s) => s.includes('REPLAY-ONE') && s.includes('REPLAY-TWO'), 'the replayed output');
    expect((await terminal.exited).exitCode).toBe(0);
    await home.ok(['kill-server']);
    expect(await home.ok(['replay', 'played'])).toContain('REPLAY-TWO');
  });

  it('loads user plugins (CommonJS and ESM) from the config directory', async () => {
    const home = cleanHome();
    const plugins = path.join(home.dir, 'plugins');
    fs.mkdirSync(plugins);
    for (const file of ['marker.cjs', 'esm-logger.mjs']) fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'plugins', file), path.join(plugins, file));
    await home.newSession(['bash', '-c', 'echo plugged; exec sleep 600'], ['-s', 'plugged']);
    await waitUntil('the ESM plugin to log a state change', () => fs.readFileSync(home.log, 'utf8').includes('esm-logger saw plugged'));
    const listed = await home.json<{ name: string; state: string }[]>(['plugins']);
    expect(listed.filter((plugin) => plugin.state === 'active').map((plugin) => plugin.name)).toEqual(['notify', 'shell-hooks', 'esm-logger', 'marker']);
    await waitUntil('the CommonJS plugin to mark the session', async () => (await home.ok(['export', 'plugged', '--format', 'jsonl'])).includes('"label":"seen by marker"'));
  });

  it('searches recorded output across sessions', async () => {
    const home = cleanHome();
    await home.newSession(['bash', '-c', 'echo needle in the first; sleep 600'], ['-s', 'first']);
    await home.newSession(['bash', '-c', 'echo no match here; echo another needle; sleep 600'], ['-s', 'second']);
    const hits = await waitUntil('both hits in the index', async () => {
      const result = await home.run(['search', 'needle', '--json']);
      const found = result.code === 0 ? (JSON.parse(result.stdout) as { session: string; line: string }[]) : [];
      return found.length === 2 ? found : undefined;
    });
    expect(hits.map((hit) => `${hit.session}: ${hit.line}`).sort()).toEqual(['first: needle in the first', 'second: another needle']);
  });

  it('serves the web page from inside the binary, and a WebSocket round trip works', async () => {
    const home = cleanHome();
    await home.newSession(shell, ['-s', 'webby']);
    home.track(home.daemonPid());
    const web = await home.json<{ url: string; link: string }>(['web']);
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(web.url)).text()).toContain('/login.js');
    const login = await fetch(`${web.url}api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: web.link.split('#token=')[1] }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await fetch(web.url, { headers: { Cookie: cookie } })).text()).toContain('/app.js');
    // xterm.js and asciinema-player are in the binary: no CDN, no file on disk.
    const app = await fetch(`${web.url}app.js`, { headers: { Cookie: cookie } });
    expect(app.status).toBe(200);
    expect((await app.text()).length).toBeGreaterThan(300_000);
    expect((await fetch(`${web.url}app.css`, { headers: { Cookie: cookie } })).status).toBe(200);

    const { token } = await home.json<{ token: string }>(['token']);
    const client = await WsClient.open(web.url, { token });
    await client.hello();
    expect((await client.ok<{ name: string }[]>('ls')).map((session) => session.name)).toEqual(['webby']);
    await client.ok('attach', { session: 'webby', cols: 80, rows: 24 });
    client.input('echo "over the web $((6*7))"\r');
    await waitUntil('the echo over the WebSocket', () => client.output().includes('over the web 42'));
    client.close();
  });

  it('exports a recording (asciicast, jsonl, txt, raw) and imports one, with the daemon up or down', async () => {
    const home = cleanHome();
    await home.newSession(['bash', '-c', 'printf "one\\ntwo \\303\\251\\n"; exit 2'], ['-s', 'rec']);
    expect((await home.run(['wait', 'rec', '--until', 'exit'])).code).toBe(0);
    const file = (format: string) => path.join(home.dir, `rec.${format}`);
    for (const format of ['cast', 'cast-v2', 'jsonl', 'txt', 'raw']) await home.ok(['export', 'rec', '--format', format, '-o', file(format)]);
    expect(fs.readFileSync(file('raw'), 'utf8')).toBe('one\r\ntwo é\r\n');
    expect(fs.readFileSync(file('txt'), 'utf8')).toBe('one\ntwo é\n');
    for (const [format, version] of [['cast', 3], ['cast-v2', 2]] as const) {
      const cast = parseCast(fs.readFileSync(file(format), 'utf8'));
      expect(cast.header.version).toBe(version);
      expect(cast.events.filter((event) => event.code === 'o').map((event) => event.data).join('')).toBe('one\r\ntwo é\r\n');
      expect(cast.events.at(-1)).toMatchObject({ code: 'x', data: '2' });
    }
    expect(fs.readFileSync(file('jsonl'), 'utf8')).toContain('"type":"output","offset":0');
    // With the daemon down, the CLI reads and writes the store itself (lmdb from the binary).
    await home.ok(['kill-server']);
    expect(await home.ok(['import', file('cast'), '-s', 'back'])).toBe('back\n');
    expect(await home.ok(['export', 'back', '--format', 'raw'])).toBe('one\r\ntwo é\r\n');
  });
});

describe('make install', () => {
  it('installs the binary as $(PREFIX)/bin/ccmux', () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-prefix-'));
    try {
      // A make of its own: not the jobserver of the `make test` that may be running this.
      const env = { ...process.env, MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '' };
      execFileSync('make', ['--no-print-directory', '-s', 'install', `PREFIX=${prefix}`], { cwd: ROOT, env, stdio: 'pipe' });
      const installed = path.join(prefix, 'bin', 'ccmux');
      expect(fs.statSync(installed).mode & 0o111).toBe(0o111);
      expect(execFileSync(installed, ['--version'], { encoding: 'utf8' }).trim()).toBe(VERSION);
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });
});
