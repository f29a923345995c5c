// Web credentials: reusable tokens, one-time login links and browser logins, kept as SHA-256 hashes in a 0600 file.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CcmuxError } from '../errors';
import type { WebCredentialInfo } from '../protocol/requests';

export type CredentialKind = WebCredentialInfo['kind'];

export interface Credential extends WebCredentialInfo {
  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  hash: string;
  /** A link: how long the login it turns into lasts (ms), or null for as long as it is not revoked. */
  loginTtlMs: number | null;
}

/** 256 random bits, base64url, with a prefix that secret scanners and people recognise. */
const SECRET_PATTERN = /^ccmux_[A-Za-z0-9_-]{43}$/;
/** Credential ids: short, public (shown by `ccmux token --list`), no look-alike characters. */
const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** A link must be opened within this long. */
export const LINK_LIFETIME_MS = 10 * 60 * 1000;

export function newSecret(): string {
  return `ccmux_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function isSecretShaped(text: string): boolean {
  return SECRET_PATTERN.test(text);
}

export function publicInfo(credential: Credential): WebCredentialInfo {
  const { id, kind, readOnly, session, sessionName, createdAt, expiresAt, parent } = credential;
  return { id, kind, readOnly, session, sessionName, createdAt, expiresAt, parent };
}

export interface NewCredential {
  kind: 'token' | 'link';
  hash: string;
  readOnly: boolean;
  session: { id: string; name: string } | undefined;
  ttlMs: number | undefined;
}

function isCredential(value: unknown): value is Credential {
  const entry = value as Partial<Credential> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.id === 'string' &&
    (entry.kind === 'token' || entry.kind === 'link' || entry.kind === 'login') &&
    typeof entry.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.hash) &&
    typeof entry.readOnly === 'boolean'
  );
}

/** The credentials file; one writer at a time: the daemon while it runs, else the CLI. */
export class CredentialStore {
  private credentials: Credential[];

  private constructor(
    readonly file: string,
    credentials: Credential[],
    private readonly now: () => number,
  ) {
    this.credentials = credentials;
  }

  static load(file: string, now: () => number = Date.now): CredentialStore {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new CredentialStore(file, [], now);
      throw new CcmuxError('io', `cannot read ${file}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CcmuxError('io', `${file} is not valid JSON; remove it to start over (every web credential is then revoked)`);
    }
    const list = (parsed as { credentials?: unknown }).credentials;
    const credentials = Array.isArray(list) ? list.filter(isCredential) : [];
    return new CredentialStore(file, credentials, now);
  }

  /** Every credential still valid (expired ones are dropped on the way). */
  list(): Credential[] {
    this.dropExpired();
    return [...this.credentials];
  }

  create(request: NewCredential): Credential {
    if (this.credentials.some((credential) => credential.hash === request.hash)) throw new CcmuxError('exists', 'that credential exists already');
    const now = this.now();
    const link = request.kind === 'link';
    const credential: Credential = {
      id: this.newId(),
      kind: request.kind,
      hash: request.hash,
      readOnly: request.readOnly,
      session: request.session?.id ?? null,
      sessionName: request.session?.name ?? null,
      createdAt: now,
      // A link is for opening the page once, now; its TTL is the login's.
      expiresAt: link ? now + LINK_LIFETIME_MS : request.ttlMs === undefined ? null : now + request.ttlMs,
      loginTtlMs: link ? (request.ttlMs ?? null) : null,
      parent: null,
    };
    this.credentials.push(credential);
    this.save();
    return credential;
  }

  /**
   * The credential whose secret this is, among `kinds`, or undefined. Hashes are compared in constant
   * time and every candidate is compared, so timing says nothing about the secret.
   */
  authenticate(secret: string, kinds: readonly CredentialKind[]): Credential | undefined {
    if (!isSecretShaped(secret)) return undefined;
    const presented = Buffer.from(hashSecret(secret), 'hex');
    let found: Credential | undefined;
    const now = this.now();
    for (const credential of this.credentials) {
      const same = timingSafeEqual(Buffer.from(credential.hash, 'hex'), presented);
      if (same && kinds.includes(credential.kind) && (credential.expiresAt === null || credential.expiresAt > now)) found = credential;
    }
    return found;
  }

  /** Still valid (not revoked, not expired)? */
  isValid(id: string): boolean {
    const credential = this.credentials.find((entry) => entry.id === id);
    return credential !== undefined && (credential.expiresAt === null || credential.expiresAt > this.now());
  }

  /**
   * Turns a token or a link into a browser login (a link is used up). Returns the login's secret, for
   * the cookie, and the login.
   */
  login(from: Credential): { secret: string; credential: Credential } {
    const secret = newSecret();
    const now = this.now();
    const fromLink = from.kind === 'link';
    const credential: Credential = {
      id: this.newId(),
      kind: 'login',
      hash: hashSecret(secret),
      readOnly: from.readOnly,
      session: from.session,
      sessionName: from.sessionName,
      createdAt: now,
      expiresAt: fromLink ? (from.loginTtlMs === null ? null : now + from.loginTtlMs) : from.expiresAt,
      loginTtlMs: null,
      // A login from a link answers to the link's id, which is what `ccmux web` printed.
      parent: fromLink ? from.id : (from.parent ?? from.id),
    };
    if (fromLink) this.credentials = this.credentials.filter((entry) => entry !== from);
    this.credentials.push(credential);
    this.save();
    return { secret, credential };
  }

  /** Removes one credential (and the logins made from it), or all when `id` is undefined. Returns the ids removed. */
  revoke(id: string | undefined): string[] {
    const removed = this.credentials.filter((entry) => id === undefined || entry.id === id || entry.parent === id);
    if (id !== undefined && removed.length === 0) throw new CcmuxError('not-found', `no web credential with id ${id} (see \`ccmux token --list\`)`);
    this.credentials = this.credentials.filter((entry) => !removed.includes(entry));
    this.save();
    return removed.map((entry) => entry.id);
  }

  /** Drops expired credentials; returns their ids (the caller closes what they had opened). */
  dropExpired(): string[] {
    const now = this.now();
    const expired = this.credentials.filter((entry) => entry.expiresAt !== null && entry.expiresAt <= now);
    if (!expired.length) return [];
    this.credentials = this.credentials.filter((entry) => !expired.includes(entry));
    this.save();
    return expired.map((entry) => entry.id);
  }

  private newId(): string {
    for (;;) {
      let id = '';
      for (const byte of randomBytes(8)) id += ID_ALPHABET[byte % ID_ALPHABET.length];
      // Never all digits: option parsers would read it as a number.
      if (/[a-z]/.test(id) && !this.credentials.some((entry) => entry.id === id)) return id;
    }
  }

  /** Written to a temporary file (0600) and renamed into place: never half a file, never readable by others. */
  private save(): void {
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    try {
      fs.rmSync(temporary, { force: true });
      fs.writeFileSync(temporary, `${JSON.stringify({ version: 1, credentials: this.credentials }, null, 1)}\n`, { mode: 0o600 });
      fs.renameSync(temporary, this.file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new CcmuxError('io', `cannot write ${this.file}: ${(error as Error).message}`);
    }
  }
}
