// `ccmux token`: web credentials — make one (its secret is shown once, only its hash is kept), list, revoke.
// Through the daemon when one runs (it then closes revoked WebSockets at once), on the file when none does.
import type { DaemonConnection } from '../client/connection';
import { EXIT } from '../errors';
import { ensurePrivateDir } from '../paths';
import type { RequestArgs, RequestResults, WebCredentialInfo } from '../protocol/requests';
import { findRecording, openRecordings } from '../recording/recordings';
import { parseDuration } from '../util/duration';
import { CredentialStore, hashSecret, newSecret, publicInfo } from '../web/credentials';
import { JSON_OPTION, printJson, type CommandContext, type CommandSpec } from './command';
import { relativeTime, table } from './format';
import { stringOption } from './options';

type TokenRequest = RequestArgs<'token'>;

/** Runs a token request on the daemon, or on the credentials file when no daemon runs. */
export async function tokenRequest(context: CommandContext, request: TokenRequest, connection?: DaemonConnection): Promise<RequestResults['token']> {
  let own: DaemonConnection | undefined;
  if (!connection) {
    try {
      connection = own = await context.connect();
    } catch (error) {
      if ((error as { code?: string }).code !== 'no-daemon') throw error;
    }
  }
  if (connection) {
    try {
      return await connection.request('token', request);
    } finally {
      own?.close();
    }
  }
  ensurePrivateDir(context.paths.stateDir);
  const store = CredentialStore.load(context.paths.webCredentials);
  switch (request.action) {
    case 'create': {
      const session = request.session === undefined ? undefined : offlineSession(context, request.session);
      const ttlMs = request.ttlSeconds === undefined ? undefined : request.ttlSeconds * 1000;
      const credential = store.create({ kind: request.kind, hash: request.hash!, readOnly: request.readOnly, session, ttlMs });
      return { credentials: [publicInfo(credential)], revoked: 0 };
    }
    case 'list':
      return { credentials: store.list().map(publicInfo), revoked: 0 };
    case 'revoke':
      return { credentials: [], revoked: store.revoke(request.id).length };
  }
}

function offlineSession(context: CommandContext, ref: string): { id: string; name: string } {
  const recordings = openRecordings(context.paths);
  try {
    const { id, name } = findRecording(recordings, ref);
    return { id, name };
  } finally {
    void recordings.close();
  }
}

export interface Grant {
  readOnly: boolean;
  session: string | undefined;
  ttlSeconds: number | undefined;
}

/** The --read-only, --session and --ttl flags `token` and `web` share. */
export const GRANT_OPTIONS = [
  { flags: '--read-only', description: 'may watch, list and search, but not type, resize or change anything' },
  { flags: '--session <name>', description: 'only this session (other sessions cannot even be listed)' },
];

export function grantOptions(context: CommandContext): Grant {
  const ttl = stringOption(context, 'ttl');
  return {
    readOnly: Boolean(context.options.readOnly),
    session: stringOption(context, 'session'),
    ttlSeconds: ttl === undefined ? undefined : Math.max(1, parseDuration(ttl, '--ttl')),
  };
}

/** Makes a secret here, registers its hash, and returns both: the secret exists nowhere else. */
export async function mintCredential(
  context: CommandContext,
  kind: 'token' | 'link',
  grant: Grant,
  connection?: DaemonConnection,
): Promise<{ secret: string; credential: WebCredentialInfo }> {
  const secret = newSecret();
  const result = await tokenRequest(context, { action: 'create', kind, hash: hashSecret(secret), ...grant }, connection);
  return { secret, credential: result.credentials[0]! };
}

export function describeGrant(credential: WebCredentialInfo): string {
  const access = credential.readOnly ? 'read-only' : 'full access';
  const scope = credential.session === null ? 'every session' : `session ${credential.sessionName ?? credential.session}`;
  return `${access}, ${scope}`;
}

function expiry(at: number | null): string {
  if (at === null) return 'never';
  const seconds = Math.round((at - Date.now()) / 1000);
  if (seconds < 120) return `in ${seconds}s`;
  if (seconds < 5400) return `in ${Math.round(seconds / 60)}m`;
  if (seconds < 129_600) return `in ${Math.round(seconds / 3600)}h`;
  return `in ${Math.round(seconds / 86_400)}d`;
}

export const tokenCommand: CommandSpec = {
  name: 'token',
  summary: 'make a token for the web page and WebSocket (shown once), list or revoke them',
  group: 'Daemon',
  examples: [
    'ccmux token                          # full access; use as "Authorization: Bearer TOKEN"',
    'ccmux token --read-only --ttl 2h     # watch only, for two hours',
    'ccmux token --session build --read-only',
    'ccmux token --list',
    'ccmux token --revoke                 # every token, link and browser login',
    'ccmux token --revoke k3v9x2ma        # one (and the browser logins made with it)',
  ],
  options: [
    ...GRANT_OPTIONS,
    { flags: '--ttl <duration>', description: 'expires after DURATION (e.g. 30m, 12h, 7d; default: never)' },
    { flags: '--list', description: 'list tokens, unused links and browser logins (never their secrets)' },
    { flags: '--revoke [id]', description: 'revoke one credential by id, or all of them' },
    JSON_OPTION,
  ],
  async run(context) {
    const revoke = context.options.revoke;
    if (revoke !== undefined && revoke !== false) {
      const id = revoke === true ? undefined : String(revoke);
      const { revoked } = await tokenRequest(context, { action: 'revoke', kind: 'token', readOnly: false, id });
      if (context.options.json) printJson(context, { revoked });
      else context.print(`revoked ${revoked} web credential${revoked === 1 ? '' : 's'}`);
      return EXIT.ok;
    }
    if (context.options.list) {
      const { credentials } = await tokenRequest(context, { action: 'list', kind: 'token', readOnly: false });
      if (context.options.json) printJson(context, credentials);
      else if (!credentials.length) context.print('no web credentials');
      else {
        const rows = credentials.map((entry) => [
          entry.id,
          entry.kind,
          entry.readOnly ? 'read-only' : 'full',
          entry.sessionName ?? entry.session ?? 'all',
          relativeTime(entry.createdAt),
          expiry(entry.expiresAt),
          entry.parent ?? '',
        ]);
        context.print(table(['ID', 'KIND', 'ACCESS', 'SESSION', 'CREATED', 'EXPIRES', 'FROM'], rows));
      }
      return EXIT.ok;
    }
    const { secret, credential } = await mintCredential(context, 'token', grantOptions(context));
    if (context.options.json) {
      printJson(context, { token: secret, ...credential });
      return EXIT.ok;
    }
    context.print(secret);
    process.stderr.write(
      `ccmux: token ${credential.id} (${describeGrant(credential)}, expires ${expiry(credential.expiresAt)}) is shown this once; ` +
        `\`ccmux token --revoke ${credential.id}\` revokes it\n`,
    );
    return EXIT.ok;
  },
};
