// The endpoint's HTTP side: the page (app or login), the login exchange, and recordings for the player.
// Every response carries the security headers; nothing here logs a credential or echoes one back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../errors';
import { EXPORT_FORMATS, exportRecording, type ExportFormat } from '../recording/export';
import type { Logger } from '../server/logger';
import type { SessionRegistry } from '../server/session-registry';
import type { Store } from '../store/store';
import { clearedCookie, loginCookie, requestCredential } from './auth';
import type { Credential, CredentialStore } from './credentials';
import { pageAssets } from './page-assets';
import { hostAllowed, originAllowed, type AccessPolicy } from './web-settings';

export interface RouteContext {
  policy: AccessPolicy;
  cookie: string;
  secure: boolean;
  credentials: CredentialStore;
  registry: SessionRegistry;
  store: Store;
  log: Logger;
  /** A browser logged out: its WebSockets close. */
  loggedOut(id: string): void;
}

// xterm.js writes its theme and cell sizes into <style> elements, hence inline styles; scripts stay
// 'self' only, plus WebAssembly compilation for asciinema-player's terminal emulator.
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

const MAX_LOGIN_BODY = 4096;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  cast: 'application/x-asciicast; charset=utf-8',
  'cast-v2': 'application/x-asciicast; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  raw: 'application/octet-stream',
};

function respond(response: ServerResponse, status: number, headers: Record<string, string | string[]> = {}, body?: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...headers });
  response.end(body);
}

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  respond(response, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function handleHttp(request: IncomingMessage, response: ServerResponse, context: RouteContext): Promise<void> {
  // DNS rebinding: a page of another name resolved to this address is not us.
  if (!hostAllowed(context.policy, request.headers.host)) return json(response, 421, { error: 'unknown Host' });
  const url = new URL(request.url ?? '/', 'http://host');
  const method = request.method ?? 'GET';
  if (url.pathname === '/api/login') return method === 'POST' ? login(request, response, context) : json(response, 405, { error: 'POST only' }, { Allow: 'POST' });
  if (url.pathname === '/api/logout') return method === 'POST' ? logout(request, response, context) : json(response, 405, { error: 'POST only' }, { Allow: 'POST' });
  if (method !== 'GET' && method !== 'HEAD') return json(response, 405, { error: 'GET only' }, { Allow: 'GET, HEAD' });
  const credential = requestCredential(request, context.credentials, context.cookie);
  if (url.pathname === '/api/me') {
    if (!credential) return json(response, 401, { error: 'not logged in' });
    const { kind, readOnly, session, sessionName, expiresAt } = credential;
    return json(response, 200, { kind, readOnly, session, sessionName, expiresAt });
  }
  const recording = /^\/api\/sessions\/([^/]+)\/recording$/.exec(url.pathname);
  if (recording) return serveRecording(response, context, credential, decodeURIComponent(recording[1]!), url.searchParams.get('format') ?? 'cast', method === 'HEAD');
  return serveAsset(request, response, url.pathname === '/' && !credential ? '/login' : url.pathname, credential !== undefined);
}

function serveAsset(request: IncomingMessage, response: ServerResponse, path: string, loggedIn: boolean): void {
  const asset = pageAssets().get(path);
  if (!asset) return json(response, 404, { error: 'not found' });
  if (asset.private && !loggedIn) return json(response, 401, { error: 'not logged in' });
  const headers = { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'private, no-cache' };
  if (request.headers['if-none-match'] === asset.etag) return respond(response, 304, headers);
  respond(response, 200, { ...headers, 'Content-Length': String(asset.body.length) }, request.method === 'HEAD' ? undefined : asset.body);
}

async function login(request: IncomingMessage, response: ServerResponse, context: RouteContext): Promise<void> {
  // A form on another site cannot post JSON, and a script on another site is stopped by its Origin.
  const origin = request.headers.origin;
  if (!originAllowed(context.policy, origin)) return json(response, 403, { error: 'foreign Origin' });
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return json(response, 415, { error: 'expected application/json' });
  const body = await readBody(request, MAX_LOGIN_BODY);
  if (!body) return json(response, 413, { error: 'too large' });
  let token: unknown;
  try {
    token = (JSON.parse(body.toString('utf8')) as { token?: unknown }).token;
  } catch {
    return json(response, 400, { error: 'expected {"token": "…"}' });
  }
  const credential = typeof token === 'string' ? context.credentials.authenticate(token, ['token', 'link']) : undefined;
  if (!credential) {
    context.log.warn(`web: refused a login from ${request.socket.remoteAddress}: unknown, used or expired credential`);
    return json(response, 401, { error: 'unknown, already used or expired token' });
  }
  const made = context.credentials.login(credential);
  context.log.info(`web: browser login ${made.credential.id} from ${credential.kind} ${credential.id}`);
  json(response, 200, { readOnly: made.credential.readOnly, session: made.credential.sessionName }, {
    'Set-Cookie': loginCookie(context.cookie, made.secret, made.credential.expiresAt, context.secure),
  });
}

function logout(request: IncomingMessage, response: ServerResponse, context: RouteContext): void {
  if (!originAllowed(context.policy, request.headers.origin)) return json(response, 403, { error: 'foreign Origin' });
  const credential = requestCredential(request, context.credentials, context.cookie);
  if (credential?.kind === 'login') {
    context.credentials.revoke(credential.id);
    context.loggedOut(credential.id);
  }
  json(response, 200, {}, { 'Set-Cookie': clearedCookie(context.cookie, context.secure) });
}

async function serveRecording(
  response: ServerResponse,
  context: RouteContext,
  credential: Credential | undefined,
  ref: string,
  format: string,
  headOnly: boolean,
): Promise<void> {
  if (!credential) return json(response, 401, { error: 'not logged in' });
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return json(response, 400, { error: `format is one of ${EXPORT_FORMATS.join(', ')}` });
  let session;
  try {
    session = context.registry.resolve(ref);
  } catch {
    session = undefined;
  }
  // A credential limited to one session cannot tell other sessions from missing ones.
  if (!session || (credential.session !== null && credential.session !== session.id)) return json(response, 404, { error: `no session ${ref}` });
  response.writeHead(200, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', 'Content-Type': CONTENT_TYPES[format as ExportFormat] });
  if (headOnly) {
    response.end();
    return;
  }
  let sinceYield = 0;
  try {
    for (const piece of exportRecording(context.store, session.meta, format as ExportFormat)) {
      if (response.destroyed) return;
      const more = response.write(piece);
      sinceYield += piece.length;
      if (!more) await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
      else if (sinceYield > 1024 * 1024) {
        // A long export to a fast reader must not hold the loop the sessions run on.
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    response.end();
  } catch (error) {
    context.log.error(`web: recording of ${session.name} failed: ${describeError(error)}`);
    response.destroy();
  }
}
