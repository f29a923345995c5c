// The web endpoint over raw HTTP and WebSocket: every refusal (credential, Origin, Host, bind address,
// read-only, one session), malformed and oversized frames, revocation, and no credential in the log.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src/protocol/frames';
import { CcmuxHome } from '../helpers/ccmux';
import { expectFloodPastStalledClient } from '../helpers/client-queues';
import { waitUntil } from '../helpers/wait-until';
import { WsClient } from '../helpers/ws-client';

interface WebJson {
  url: string;
  link: string;
  port: number;
  credential: { id: string };
}

interface TokenJson {
  token: string;
  id: string;
}

interface SessionJson {
  id: string;
  name: string;
  cols: number;
  rows: number;
  clients: { readOnly: boolean }[];
}

let home: CcmuxHome;
let web: WebJson;
let full: TokenJson;
/** Every secret the tests saw: none may ever appear in the daemon log. */
const secrets: string[] = [];

async function token(...flags: string[]): Promise<TokenJson> {
  const made = await home.json<TokenJson>(['token', ...flags]);
  secrets.push(made.token);
  return made;
}

/** Logs in over HTTP with a token or link; returns the cookie (name=value) and the response status. */
async function login(secret: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string | undefined }> {
  const response = await fetch(`${web.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: web.url.replace(/\/$/, ''), ...headers },
    body: JSON.stringify({ token: secret }),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (cookie) secrets.push(cookie.split('=')[1]!);
  return { status: response.status, cookie };
}

async function connected(options: Parameters<typeof WsClient.open>[1]): Promise<WsClient> {
  const client = await WsClient.open(web.url, options);
  await client.hello();
  return client;
}

/** The daemon still serves: a new connection lists the sessions. */
async function daemonAnswers(): Promise<void> {
  const client = await connected({ token: full.token });
  const sessions = await client.ok<SessionJson[]>('ls');
  expect(sessions.map((session) => session.name).sort()).toEqual(['other', 'shell']);
  client.close();
}

beforeAll(async () => {
  home = new CcmuxHome({ PS1: '$ ' });
  await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'shell']);
  await home.newSession(['bash', '--norc', '--noprofile'], ['-s', 'other']);
  web = await home.json<WebJson>(['web']);
  secrets.push(web.link.split('#token=')[1]!);
  full = await token();
});

afterAll(async () => {
  await home.cleanup();
});

describe('web endpoint security', () => {
  it('serves on loopback, with the security headers, and the app only after a login', async () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('login.js');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${web.url}app.js`)).status).toBe(401);
    const { status, cookie } = await login(full.token);
    expect(status).toBe(200);
    const app = await fetch(web.url, { headers: { Cookie: cookie! } });
    expect(await app.text()).toContain('app.js');
    expect((await fetch(`${web.url}app.js`, { headers: { Cookie: cookie! } })).status).toBe(200);
    const setCookie = (await login(full.token)).cookie;
    expect(setCookie).toMatch(/^ccmux_\d+=ccmux_/);
  });

  it('sets the login cookie HttpOnly and SameSite=Strict, and a link logs in only once', async () => {
    const link = web.link.split('#token=')[1]!;
    const response = await fetch(`${web.url}api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: link }) });
    expect(response.status).toBe(200);
    const header = response.headers.get('set-cookie')!;
    secrets.push(header.split(';')[0]!.split('=')[1]!);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect((await login(link)).status).toBe(401);
    // A link is for the browser only: it is not a token for the WebSocket.
    expect(await WsClient.refusal(web.url, { token: link })).toBe(401);
    const body = await response.text();
    expect(body).not.toContain('ccmux_');
  });

  it('refuses an upgrade without a credential, or with a wrong one', async () => {
    expect(await WsClient.refusal(web.url, {})).toBe(401);
    expect(await WsClient.refusal(web.url, { token: 'wrong' })).toBe(401);
    expect(await WsClient.refusal(web.url, { token: `ccmux_${'A'.repeat(43)}` })).toBe(401);
    expect(await WsClient.refusal(web.url, { cookie: `ccmux_${web.port}=ccmux_${'B'.repeat(43)}` })).toBe(401);
  });

  it("refuses a foreign Origin, accepts the page's own and none (a program, not a browser)", async () => {
    expect(await WsClient.refusal(web.url, { token: full.token, origin: 'https://evil.example' })).toBe(403);
    expect(await WsClient.refusal(web.url, { token: full.token, origin: 'null' })).toBe(403);
    expect(await WsClient.refusal(web.url, { token: full.token, origin: `http://localhost:${web.port + 1}` })).toBe(403);
    (await connected({ token: full.token, origin: web.url.replace(/\/$/, '') })).close();
    (await connected({ token: full.token })).close();
    const foreignLogin = await login(full.token, { Origin: 'https://evil.example' });
    expect(foreignLogin.status).toBe(403);
  });

  it('refuses a Host other than the bound address (DNS rebinding)', async () => {
    expect(await WsClient.refusal(web.url, { token: full.token, host: `evil.example:${web.port}` })).toBe(403);
    expect(await WsClient.refusal(web.url, { token: full.token, host: `127.0.0.1:${web.port + 1}` })).toBe(403);
    (await connected({ token: full.token, host: `localhost:${web.port}` })).close();
    // fetch() may not set Host; node:http may.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.get(web.url, { headers: { Host: `rebind.example:${web.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
    });
    expect(status).toBe(421);
  });

  it('speaks the unix-socket protocol: ls, attach, type, resize', async () => {
    const client = await connected({ token: full.token });
    const sessions = await client.ok<SessionJson[]>('ls');
    expect(sessions.map((session) => session.name).sort()).toEqual(['other', 'shell']);
    await client.ok('attach', { session: 'shell', cols: 90, rows: 30 });
    client.input('echo "web says $((6*7))"\r');
    await waitUntil('the echo over the WebSocket', () => client.output().includes('web says 42'));
    client.send({ type: 'attach-resize', cols: 100, rows: 33 });
    client.input('stty size\r');
    await waitUntil('the program to see the new size', () => client.output().includes('33 100'));
    client.close();
  });

  it('a script with the standard WebSocket API (no headers: the token as a subprotocol) can list, attach, type and resize', async () => {
    // Node's global WebSocket is the WHATWG one, as in browsers and Deno: it cannot set Authorization.
    const ws = new WebSocket(`${web.url.replace(/^http/, 'ws')}ws`, ['ccmux.v1', `ccmux.token.${full.token}`]);
    ws.binaryType = 'arraybuffer';
    const controls: { type: string; id?: number; ok?: boolean; result?: unknown }[] = [];
    let output = '';
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      const bytes = new Uint8Array(event.data);
      const text = new TextDecoder().decode(bytes.subarray(1));
      if (bytes[0] === 1) controls.push(JSON.parse(text));
      if (bytes[0] === 2) output += text;
    };
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    expect(ws.protocol).toBe('ccmux.v1');
    const send = (kind: number, text: string) => ws.send(new Uint8Array([kind, ...new TextEncoder().encode(text)]));
    const reply = (id: number) => waitUntil(`response ${id}`, () => controls.find((message) => message.type === 'response' && message.id === id));
    send(1, JSON.stringify({ type: 'hello', protocol: 1, client: 'script', version: '1' }));
    send(1, JSON.stringify({ type: 'request', id: 1, command: 'ls', args: {} }));
    expect(((await reply(1)).result as SessionJson[]).map((session) => session.name).sort()).toEqual(['other', 'shell']);
    send(1, JSON.stringify({ type: 'request', id: 2, command: 'attach', args: { session: 'other', cols: 80, rows: 24 } }));
    expect((await reply(2)).ok).toBe(true);
    send(3, 'echo "standard $((7*6))"\r');
    await waitUntil('the echo', () => output.includes('standard 42'));
    send(1, JSON.stringify({ type: 'attach-resize', cols: 77, rows: 22 }));
    send(3, 'stty size\r');
    await waitUntil('the new size', () => output.includes('22 77'));
    ws.close();
    // The token protocol alone cannot be answered without echoing the token: refused.
    expect(await WsClient.refusal(web.url, { protocols: [`ccmux.token.${full.token}`] })).toBe(400);
    expect(await WsClient.refusal(web.url, { protocols: ['ccmux.v1', 'ccmux.token.wrong'] })).toBe(401);
  });

  it('a read-only token can watch but not type, resize or change anything', async () => {
    const readOnly = await token('--read-only');
    const client = await connected({ token: readOnly.token });
    const denied = await client.request('send', { session: 'shell', text: 'echo NOPE\r' });
    expect(denied).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect((await client.request('kill', { session: 'shell' })).ok).toBe(false);
    expect((await client.request('new', { command: ['true'], cwd: '/', cols: 80, rows: 24 })).ok).toBe(false);
    await client.ok('attach', { session: 'shell', cols: 50, rows: 10 });
    const [shell] = (await client.ok<SessionJson[]>('ls')).filter((session) => session.name === 'shell');
    expect(shell!.clients.every((entry) => entry.readOnly)).toBe(true);
    client.input('echo READ-ONLY-TYPED\r');
    client.send({ type: 'attach-resize', cols: 40, rows: 12 });
    // Ordering: what the read-only client sent was handled before this request is answered.
    await client.ok('has', { session: 'shell' });
    await home.ok(['send', 'shell', 'echo after-read-only']);
    await home.waitForScreen('shell', (screen) => screen.includes('after-read-only'), 'the marker command');
    expect(await home.peek('shell')).not.toContain('READ-ONLY-TYPED');
    const after = (await home.json<SessionJson[]>(['ls'])).find((session) => session.name === 'shell')!;
    expect([after.cols, after.rows]).not.toEqual([40, 12]);
    // Its page login is read-only too.
    const { cookie } = await login(readOnly.token);
    const me = await (await fetch(`${web.url}api/me`, { headers: { Cookie: cookie! } })).json();
    expect(me).toMatchObject({ readOnly: true });
    client.close();
  });

  it('a token for one session sees and reaches only that session', async () => {
    const scoped = await token('--session', 'shell');
    const client = await connected({ token: scoped.token });
    const sessions = await client.ok<SessionJson[]>('ls');
    expect(sessions.map((session) => session.name)).toEqual(['shell']);
    expect(await client.request('peek', { session: 'other' })).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect(await client.request('peek', { session: 'nonexistent' })).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect(await client.request('status')).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect((await client.ok<{ text: string }>('peek', { session: 'shell' })).text).toContain('$');
    const other = (await home.json<SessionJson[]>(['ls'])).find((session) => session.name === 'other')!;
    expect((await fetch(`${web.url}api/sessions/${other.id}/recording`, { headers: { Authorization: `Bearer ${scoped.token}` } })).status).toBe(404);
    const own = await fetch(`${web.url}api/sessions/shell/recording`, { headers: { Authorization: `Bearer ${scoped.token}` } });
    expect(own.status).toBe(200);
    expect(JSON.parse((await own.text()).split('\n')[0]!)).toMatchObject({ version: 3 });
    client.close();
  });

  it('never offers credentials or the endpoint itself over the WebSocket', async () => {
    const client = await connected({ token: full.token });
    expect(await client.request('token', { action: 'list' })).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect(await client.request('token', { action: 'create', hash: 'a'.repeat(64) })).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect(await client.request('web', { stop: true })).toMatchObject({ ok: false, error: { code: 'denied' } });
    client.close();
  });

  it('closes the connection on malformed frames, and the daemon carries on', async () => {
    const cases: [string, (client: WsClient) => void][] = [
      ['a text message', (client) => client.sendRaw('{"type":"hello"}', false)],
      ['an unknown frame kind', (client) => client.sendRaw(Buffer.from([9, 1, 2, 3]))],
      ['an empty message', (client) => client.sendRaw(Buffer.alloc(0))],
      ['control JSON that does not parse', (client) => client.sendRaw(Buffer.concat([Buffer.from([1]), Buffer.from('{nope')]))],
      ['a request before hello', (client) => client.send({ type: 'request', id: 1, command: 'ls', args: {} })],
      ['an output frame from the client', (client) => client.sendRaw(Buffer.from([2, 65]))],
      ['an unknown message type', (client) => client.send({ type: 'sudo' })],
    ];
    for (const [what, misbehave] of cases) {
      const client = await WsClient.open(web.url, { token: full.token });
      misbehave(client);
      await client.waitClosed(`the daemon to close the connection after ${what}`);
      expect(client.controls().find((message) => message.type === 'response')).toMatchObject({ ok: false, error: { code: 'protocol' } });
    }
    await daemonAnswers();
  });

  it('closes the connection on an oversized frame (1009), and the daemon carries on', async () => {
    const client = await connected({ token: full.token });
    client.sendRaw(Buffer.alloc(MAX_FRAME_BYTES + 2, 3));
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1009);
    await daemonAnswers();
  });

  it('a WebSocket client that stops reading never stalls the program; it is repainted when it reads again', async () => {
    await home.newSession(['sh', '-c', 'sleep 0.3; head -c 20000000 /dev/zero | tr "\\0" "x"; echo; echo FLOOD-DONE; exec sleep 600'], ['-s', 'flood']);
    const client = await connected({ token: full.token });
    await client.ok('attach', { session: 'flood', cols: 80, rows: 24 });
    // ws keeps the socket private; pausing it is what a stalled browser tab looks like to the daemon.
    const socket = (client.ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    await expectFloodPastStalledClient(home, 'flood', 60_000);
    socket.resume();
    await waitUntil('a fresh screen once it reads again', () => client.output().includes('FLOOD-DONE'), { timeoutMs: 30_000 });
    expect(Buffer.byteLength(client.output())).toBeLessThan(15_000_000);
    client.close();
    await home.ok(['kill', 'flood']);
    await home.ok(['wait', 'flood', '--until', 'exit']);
    await home.ok(['rm', 'flood']);
  });

  it('revoking a token closes its connections and refuses it from then on', async () => {
    const doomed = await token();
    const client = await connected({ token: doomed.token });
    await home.ok(['token', '--revoke', doomed.id]);
    expect((await client.waitClosed()).code).toBe(4001);
    expect(await WsClient.refusal(web.url, { token: doomed.token })).toBe(401);
    const listed = await home.json<{ id: string }[]>(['token', '--list']);
    expect(listed.map((entry) => entry.id)).not.toContain(doomed.id);
  });

  it('an expired token is refused', async () => {
    const brief = await token('--ttl', '1s');
    await waitUntil('the token to expire', async () => {
      try {
        return (await WsClient.refusal(web.url, { token: brief.token })) === 401;
      } catch {
        return false;
      }
    });
  });

  it('refuses a non-loopback address unless asked, and then only with TLS or the acknowledgement', async () => {
    const other = new CcmuxHome();
    try {
      await other.newSession(['sleep', '600'], ['-s', 'x']);
      const refused = await other.run(['web', '--bind', '0.0.0.0']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^ccmux: refusing to serve on 0\.0\.0\.0: not a loopback address.*--allow-remote/);
      const noTls = await other.run(['web', '--bind', '0.0.0.0', '--allow-remote']);
      expect(noTls.code).toBe(1);
      expect(noTls.stderr).toMatch(/without TLS.*--insecure-no-tls/);
      expect(await other.json(['status'])).not.toHaveProperty('web');

      const dir = path.join(other.dir, 'tls');
      fs.mkdirSync(dir);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
      const served = await other.json<WebJson>(['web', '--bind', '0.0.0.0', '--allow-remote', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')]);
      expect(served.url).toMatch(/^https:/);
      const remoteToken = await other.json<TokenJson>(['token']);
      const client = await WsClient.open(`https://127.0.0.1:${served.port}/`, { token: remoteToken.token });
      await client.hello();
      expect((await client.ok<SessionJson[]>('ls')).map((session) => session.name)).toEqual(['x']);
      client.close();

      const plain = await other.json<WebJson>(['web', '--bind', '0.0.0.0', '--allow-remote', '--insecure-no-tls']);
      expect(plain.url).toMatch(/^http:/);
      await other.ok(['web', '--stop']);
      expect(await other.json(['status'])).not.toHaveProperty('web');
    } finally {
      await other.cleanup();
    }
  });

  it('never writes a credential to the daemon log', async () => {
    const log = fs.readFileSync(home.log, 'utf8');
    expect(log).toContain('refused a WebSocket');
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/ccmux_[A-Za-z0-9_-]{43}/);
    // Nor in the credentials file: only hashes.
    const stored = fs.readFileSync(path.join(home.dir, 'web-credentials.json'), 'utf8');
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(fs.statSync(path.join(home.dir, 'web-credentials.json')).mode & 0o777).toBe(0o600);
  });
});
