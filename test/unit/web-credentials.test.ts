// Web credentials and access rules without a daemon: hashes only on disk, expiry, one-time links,
// revocation with the logins made from a credential, and the bind / Host / Origin policy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, LINK_LIFETIME_MS, hashSecret, newSecret } from '../../src/web/credentials';
import { accessPolicy, checkBindPolicy, hostAllowed, isLoopback, originAllowed, type WebSettings } from '../../src/web/web-settings';

const dirs: string[] = [];

function storeFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-credentials-'));
  dirs.push(dir);
  return path.join(dir, 'web-credentials.json');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const settings = (overrides: Partial<WebSettings> = {}): WebSettings => ({
  port: 0,
  bind: '127.0.0.1',
  allowRemote: false,
  insecureNoTls: false,
  tls: undefined,
  allowedOrigins: [],
  allowedHosts: [],
  ...overrides,
});

describe('credential store', () => {
  it('keeps only hashes, in a 0600 file, and finds a credential by its secret', () => {
    const file = storeFile();
    const store = CredentialStore.load(file);
    const secret = newSecret();
    expect(secret).toMatch(/^ccmux_[A-Za-z0-9_-]{43}$/);
    const made = store.create({ kind: 'token', hash: hashSecret(secret), readOnly: true, session: undefined, ttlMs: undefined });
    expect(made.id).toMatch(/^[a-z2-9]{8}$/);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(secret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = CredentialStore.load(file);
    expect(again.authenticate(secret, ['token'])).toMatchObject({ id: made.id, readOnly: true });
    expect(again.authenticate(secret, ['login'])).toBeUndefined();
    expect(again.authenticate(newSecret(), ['token'])).toBeUndefined();
    expect(again.authenticate(`${secret}x`, ['token'])).toBeUndefined();
  });

  it('expires credentials', () => {
    let now = 1_000_000;
    const store = CredentialStore.load(storeFile(), () => now);
    const secret = newSecret();
    store.create({ kind: 'token', hash: hashSecret(secret), readOnly: false, session: undefined, ttlMs: 1000 });
    expect(store.authenticate(secret, ['token'])).toBeDefined();
    now += 1000;
    expect(store.authenticate(secret, ['token'])).toBeUndefined();
    expect(store.dropExpired()).toHaveLength(1);
    expect(store.list()).toEqual([]);
  });

  it('turns a link into a login once; the login keeps its grant and answers to the link id', () => {
    let now = 5_000_000;
    const store = CredentialStore.load(storeFile(), () => now);
    const secret = newSecret();
    const link = store.create({ kind: 'link', hash: hashSecret(secret), readOnly: true, session: { id: 'abc123', name: 'build' }, ttlMs: 3_600_000 });
    expect(link.expiresAt).toBe(now + LINK_LIFETIME_MS);
    const found = store.authenticate(secret, ['token', 'link'])!;
    const { secret: cookie, credential } = store.login(found);
    expect(credential).toMatchObject({ kind: 'login', readOnly: true, session: 'abc123', sessionName: 'build', parent: link.id, expiresAt: now + 3_600_000 });
    expect(store.authenticate(secret, ['token', 'link'])).toBeUndefined();
    expect(store.authenticate(cookie, ['login'])?.id).toBe(credential.id);
    expect(store.revoke(link.id)).toEqual([credential.id]);
    expect(store.authenticate(cookie, ['login'])).toBeUndefined();
  });

  it('an unopened link lapses after its lifetime', () => {
    let now = 0;
    const store = CredentialStore.load(storeFile(), () => now);
    const secret = newSecret();
    store.create({ kind: 'link', hash: hashSecret(secret), readOnly: false, session: undefined, ttlMs: undefined });
    now += LINK_LIFETIME_MS;
    expect(store.authenticate(secret, ['link'])).toBeUndefined();
  });

  it('revokes one credential with its logins, or all of them', () => {
    const store = CredentialStore.load(storeFile());
    const secrets = [newSecret(), newSecret()];
    const [first, second] = secrets.map((secret) => store.create({ kind: 'token', hash: hashSecret(secret), readOnly: false, session: undefined, ttlMs: undefined }));
    const login = store.login(first!).credential;
    expect(login.parent).toBe(first!.id);
    expect(store.revoke(first!.id).sort()).toEqual([first!.id, login.id].sort());
    expect(() => store.revoke('nosuchid')).toThrow(/no web credential with id nosuchid/);
    expect(store.revoke(undefined)).toEqual([second!.id]);
    expect(store.list()).toEqual([]);
  });

  it('refuses a file that is not JSON with a way out', () => {
    const file = storeFile();
    fs.writeFileSync(file, 'nope');
    expect(() => CredentialStore.load(file)).toThrow(/not valid JSON; remove it/);
  });
});

describe('bind, Host and Origin policy', () => {
  it('tells loopback addresses', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(address)).toBe(true);
    for (const address of ['0.0.0.0', '::', '192.168.1.4', '10.0.0.1', 'example.com']) expect(isLoopback(address)).toBe(false);
  });

  it('refuses a non-loopback bind without --allow-remote, and without TLS or the acknowledgement', () => {
    expect(() => checkBindPolicy(settings())).not.toThrow();
    expect(() => checkBindPolicy(settings({ bind: '0.0.0.0' }))).toThrow(/not a loopback address/);
    expect(() => checkBindPolicy(settings({ bind: '0.0.0.0', allowRemote: true }))).toThrow(/without TLS/);
    expect(() => checkBindPolicy(settings({ bind: '0.0.0.0', allowRemote: true, insecureNoTls: true }))).not.toThrow();
    expect(() => checkBindPolicy(settings({ bind: '0.0.0.0', allowRemote: true, tls: { cert: 'c', key: 'k' } }))).not.toThrow();
    expect(() => checkBindPolicy(settings({ bind: 'example.com' }))).toThrow(/IP address or localhost/);
  });

  it("allows the endpoint's own Host names and Origins only", () => {
    const policy = accessPolicy(settings({ allowedOrigins: ['https://ccmux.example/'], allowedHosts: ['ccmux.example'] }), 7681);
    expect(policy.url).toBe('http://127.0.0.1:7681/');
    for (const host of ['127.0.0.1:7681', 'localhost:7681', 'LOCALHOST:7681', '[::1]:7681', 'ccmux.example:7681']) expect(hostAllowed(policy, host)).toBe(true);
    for (const host of [undefined, '127.0.0.1', '127.0.0.1:7682', 'evil.example:7681', 'localhost.evil.example:7681']) expect(hostAllowed(policy, host)).toBe(false);
    for (const origin of [undefined, 'http://127.0.0.1:7681', 'http://localhost:7681', 'https://ccmux.example']) expect(originAllowed(policy, origin)).toBe(true);
    for (const origin of ['null', 'http://127.0.0.1:7682', 'https://127.0.0.1:7681', 'https://evil.example', 'http://localhost:7681.evil.example']) {
      expect(originAllowed(policy, origin)).toBe(false);
    }
  });

  it('uses https origins with TLS, and the bare host on the default port', () => {
    const policy = accessPolicy(settings({ bind: '::1', tls: { cert: 'c', key: 'k' } }), 443);
    expect(policy.url).toBe('https://[::1]:443/');
    expect(hostAllowed(policy, '[::1]')).toBe(true);
    expect(originAllowed(policy, 'https://[::1]')).toBe(true);
    expect(originAllowed(policy, 'http://[::1]')).toBe(false);
  });
});
