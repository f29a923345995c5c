// Who is asking: a browser login cookie (HttpOnly, SameSite=Strict), an `Authorization: Bearer` token, or —
// for WebSocket APIs that cannot set headers — a token offered as the subprotocol `ccmux.token.TOKEN`.
import type { IncomingMessage } from 'node:http';
import type { Credential, CredentialStore } from './credentials';

/** Cookies are shared by every port of a host, so the name carries the port: two daemons never clash. */
export function cookieName(port: number): string {
  return `ccmux_${port}`;
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The subprotocol the endpoint answers with; a token subprotocol is never echoed back. */
export const SUBPROTOCOL = 'ccmux.v1';
const TOKEN_SUBPROTOCOL = 'ccmux.token.';

function offeredProtocols(request: IncomingMessage): string[] {
  return (request.headers['sec-websocket-protocol'] ?? '').split(',').map((protocol) => protocol.trim());
}

function bearer(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match) return match[1];
  return offeredProtocols(request).find((protocol) => protocol.startsWith(TOKEN_SUBPROTOCOL))?.slice(TOKEN_SUBPROTOCOL.length);
}

/** A token offered as a subprotocol needs `ccmux.v1` beside it: the answer must name a protocol the client offered. */
export function subprotocolProblem(request: IncomingMessage): string | undefined {
  const offered = offeredProtocols(request);
  const withToken = offered.some((protocol) => protocol.startsWith(TOKEN_SUBPROTOCOL));
  return withToken && !offered.includes(SUBPROTOCOL) ? `offer the subprotocol ${SUBPROTOCOL} beside the token` : undefined;
}

/** The credential a request carries, if it is valid: the login cookie, else a bearer token. */
export function requestCredential(request: IncomingMessage, store: CredentialStore, name: string): Credential | undefined {
  const fromCookie = cookie(request, name);
  if (fromCookie !== undefined) {
    const login = store.authenticate(fromCookie, ['login']);
    if (login) return login;
  }
  const token = bearer(request);
  return token === undefined ? undefined : store.authenticate(token, ['token']);
}

export function loginCookie(name: string, secret: string, expiresAt: number | null, secure: boolean): string {
  // Chrome keeps a cookie at most 400 days; a login without expiry lasts that long or until revoked.
  const maxAge = expiresAt === null ? 400 * 86_400 : Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  return `${name}=${secret}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
