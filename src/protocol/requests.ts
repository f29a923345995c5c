// The request vocabulary: one entry per command name, with its validated arguments and its result type.
import { anything, array, boolean, integer, number, object, oneOf, optional, record, string, Infer, InferInput, withDefault } from './schema';
import type { ExitInfo } from './messages';

export const SESSION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const sessionRef = string({ min: 1, max: 128, hint: 'a session name or id' });
const sessionName = string({ pattern: SESSION_NAME_PATTERN, hint: 'a name of letters, digits and . _ @ + - (up to 64)' });
const cols = integer(2, 2000);
const rows = integer(2, 1000);

/** Largest text one `send` request may carry. */
export const MAX_SEND_BYTES = 4 * 1024 * 1024;

export const REQUEST_ARGS = {
  status: object({}),
  new: object({
    name: optional(sessionName),
    command: array(string({ min: 1, max: 64 * 1024 }), 4096),
    cwd: string({ min: 1, max: 4096 }),
    cols,
    rows,
    env: withDefault(record(string({ max: 64 * 1024 }), 1024), {}),
    /** Restart the program when it dies (`on-failure`: non-zero exit or a signal), with backoff. */
    restart: withDefault(oneOf(['no', 'on-failure', 'always'] as const), 'no'),
    maxRestarts: withDefault(integer(0, 1_000_000), 5),
  }),
  attach: object({
    session: optional(sessionRef),
    readOnly: withDefault(boolean(), false),
    detachOthers: withDefault(boolean(), false),
    cols,
    rows,
  }),
  ls: object({}),
  kill: object({ session: sessionRef, signal: optional(string({ min: 1, max: 16 })) }),
  rename: object({ session: sessionRef, newName: sessionName }),
  has: object({ session: sessionRef }),
  rm: object({ session: sessionRef }),
  'kill-server': object({}),
  send: object({
    session: sessionRef,
    text: optional(string({ max: MAX_SEND_BYTES })),
    keys: withDefault(array(string({ min: 1, max: 32 }), 10_000), []),
    enter: withDefault(boolean(), false),
  }),
  peek: object({
    session: sessionRef,
    ansi: withDefault(boolean(), false),
    scrollback: withDefault(integer(0, 1_000_000), 0),
  }),
  wait: object({
    session: sessionRef,
    /** exit; idle / needs-input / working: the agent state; quiet: no output for idleSeconds; match: pattern on screen. */
    until: oneOf(['exit', 'idle', 'needs-input', 'working', 'quiet', 'match'] as const),
    idleSeconds: withDefault(number(0.05, 86_400 * 365), 2),
    pattern: optional(string({ min: 1, max: 4096 })),
    flags: withDefault(string({ max: 8, pattern: /^[imsu]*$/ }), ''),
    timeoutSeconds: optional(number(0, 86_400 * 365)),
  }),
  resize: object({ session: sessionRef, cols, rows }),
  mark: object({ session: sessionRef, label: withDefault(string({ max: 1024 }), '') }),
  respawn: object({ session: sessionRef, env: withDefault(record(string({ max: 64 * 1024 }), 1024), {}) }),
  import: object({
    file: string({ min: 1, max: 4096, hint: 'an absolute path to an asciicast file' }),
    name: optional(sessionName),
    cwd: string({ min: 1, max: 4096 }),
  }),
  prune: object({ olderThanSeconds: optional(number(0, 1e12)), exited: withDefault(boolean(), false), dryRun: withDefault(boolean(), false) }),
  /** Reported by `ccmux hook`, which Claude Code runs for the hooks ccmux gave it. */
  'agent-hook': object({
    session: sessionRef,
    event: record(anything(), 256),
    /** When the `ccmux hook` process started (epoch ms): the daemon records how long the report took. */
    startedAt: optional(number(0, 1e15)),
  }),
  /** Streams daemon events (`event` messages) on this connection until it closes. */
  events: object({ session: optional(sessionRef) }),
  mute: object({ session: sessionRef, muted: withDefault(boolean(), true) }),
  /** Shows a notification on every attached terminal (except those attached to `exceptSession`). */
  notify: object({ title: string({ max: 1024 }), body: withDefault(string({ max: 4096 }), ''), exceptSession: optional(sessionRef) }),
  plugins: object({}),
  /**
   * The last lines of a session's output. Raw bytes come as output frames before the response; with
   * `follow`, output frames keep coming until a `tail-end` message (the session ended).
   */
  tail: object({
    session: sessionRef,
    lines: withDefault(integer(0, 1_000_000), 10),
    follow: withDefault(boolean(), false),
    raw: withDefault(boolean(), false),
  }),
  /** Literal text across the recordings' text index (regular expressions stay in the CLI: no ReDoS in the daemon). */
  search: object({
    pattern: string({ min: 1, max: 4096 }),
    ignoreCase: withDefault(boolean(), false),
    session: optional(sessionRef),
    /** Only lines from the last this many seconds. */
    sinceSeconds: optional(number(0, 1e12)),
    all: withDefault(boolean(), false),
    context: withDefault(integer(0, 100), 1),
    limit: withDefault(integer(1, 10_000), 200),
  }),
  /** Starts (or restarts with other settings), reports or stops the local web endpoint. */
  web: object({
    stop: withDefault(boolean(), false),
    port: optional(integer(0, 65_535)),
    bind: optional(string({ min: 1, max: 255 })),
    allowRemote: optional(boolean()),
    insecureNoTls: optional(boolean()),
    tlsCert: optional(string({ min: 1, max: 4096 })),
    tlsKey: optional(string({ min: 1, max: 4096 })),
  }),
  /** Web credentials. The client makes the secret and sends only its SHA-256: the daemon never sees it. */
  token: object({
    action: oneOf(['create', 'list', 'revoke'] as const),
    kind: withDefault(oneOf(['token', 'link'] as const), 'token'),
    hash: optional(string({ pattern: /^[0-9a-f]{64}$/, hint: 'a SHA-256 in hex' })),
    readOnly: withDefault(boolean(), false),
    session: optional(sessionRef),
    /** token: lifetime; link: how long the browser login it turns into lasts. */
    ttlSeconds: optional(number(1, 1e10)),
    id: optional(string({ min: 1, max: 64 })),
  }),
};

export type RequestName = keyof typeof REQUEST_ARGS;

/** Requests a read-only client (e.g. a read-only web token) may make; everything else changes something. */
export const READ_ONLY_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>(['status', 'ls', 'has', 'peek', 'wait', 'attach', 'tail', 'events', 'search']);
export type RequestArgs<K extends RequestName> = Infer<(typeof REQUEST_ARGS)[K]>;
/** What a caller passes: defaulted arguments may be left out. */
export type RequestInput<K extends RequestName> = InferInput<(typeof REQUEST_ARGS)[K]>;

export type SessionState = 'running' | 'exited' | 'lost';

export interface ClientInfo {
  id: number;
  readOnly: boolean;
  cols: number;
  rows: number;
  attachedAt: number;
  lastActiveAt: number;
  /** Output bytes queued for this client and not yet taken by its socket. */
  queuedBytes: number;
  /** Times it fell behind, was dropped and got a fresh screen instead. */
  resyncs: number;
}

/** What `ls` reports of a session; also the result of most session commands. */
export interface SessionInfo {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  pid: number | null;
  /** The live screen mirror (null once the session ended). */
  mirror: MirrorInfo | null;
  createdAt: number;
  state: SessionState;
  exit: ExitInfo | null;
  exitedAt: number | null;
  cols: number;
  rows: number;
  /** Size policy: the attached client whose size the session follows (`latest`). */
  sizePolicy: 'latest';
  sizeClient: number | null;
  clients: ClientInfo[];
  lastOutputAt: number | null;
  title: string;
  recording: RecordingInfo;
  agent: AgentInfo;
  muted: boolean;
}

export interface MirrorInfo {
  /** Output the screen mirror has not taken in yet (it catches up from the recording after a flood). */
  lagBytes: number;
  /** Times it fell so far behind that it read the output back from the recording instead of memory. */
  fellBehind: number;
}

export interface AgentInfo {
  state: 'starting' | 'working' | 'needs-input' | 'idle' | 'exited' | 'lost' | 'unknown';
  since: number;
  reason: string;
  source: string;
  /** What a session in needs-input waits for (`permission`, `question`), or null. */
  waitingFor: string | null;
  /** The agent rules in use (`claude-code`), or null for a generic program. */
  agent: string | null;
}

export interface RecordingInfo {
  /** Bytes the program printed. */
  outputBytes: number;
  /** Bytes the recording takes in the store. */
  storedBytes: number;
  /** Oldest output bytes dropped by retention. */
  trimmedBytes: number;
  /** Why recording is degraded (e.g. disk full), or null. */
  error: string | null;
  imported: boolean;
}

export interface StatusResult {
  version: string;
  protocol: number;
  pid: number;
  startedAt: number;
  socket: string;
  log: string;
  store: string;
  storeBytes: number;
  recordingError: string | null;
  sessions: { running: number; exited: number; lost: number };
  /** Running sessions by agent state (`working`, `needs-input`…). */
  agents: Record<string, number>;
  /** Connections to the daemon, including the one asking. */
  clients: number;
  /** Terminals attached to sessions. */
  attachedClients: number;
  /** The config file the daemon read at start. */
  config: string;
  plugins: PluginInfo[];
  /** `systemd` when the daemon runs as the user service (`ccmux service install`), else null. */
  managedBy: 'systemd' | null;
  /** The web view, when the daemon serves one. */
  web?: { url: string } | null;
}

export interface PeekResult {
  text: string;
  cols: number;
  rows: number;
  cursor: { x: number; y: number };
  altScreen: boolean;
}

export type WaitOutcome = 'met' | 'timeout' | 'gone';

export interface RequestResults {
  status: StatusResult;
  new: SessionInfo;
  attach: SessionInfo;
  ls: SessionInfo[];
  kill: SessionInfo;
  rename: SessionInfo;
  has: SessionInfo;
  rm: { id: string; name: string };
  'kill-server': { sessions: number };
  send: { bytes: number };
  peek: PeekResult;
  wait: { outcome: WaitOutcome; session: SessionInfo };
  resize: SessionInfo;
  mark: { time: number };
  respawn: SessionInfo;
  prune: { removed: { id: string; name: string }[] };
  import: SessionInfo;
  'agent-hook': { state: string };
  events: { subscribed: true };
  mute: SessionInfo;
  notify: { clients: number };
  plugins: PluginInfo[];
  tail: TailResult;
  search: { hits: SearchHit[]; truncated: boolean };
  web: WebStatus;
  token: { credentials: WebCredentialInfo[]; revoked: number };
}

export interface TailResult {
  session: SessionInfo;
  /** Text: the last complete lines, oldest first (empty with `raw`: the bytes came as output frames). */
  lines: string[];
  /** Text: the line the cursor is on, not ended yet ('' when the output ends with a newline). */
  partial: string;
  /** Text: where in `partial` the cursor is (the next output continues there). */
  cursor: number;
  /** Raw: how many bytes were sent before the response. */
  rawBytes: number;
  /** Output frames follow, then `tail-end`. */
  following: boolean;
}

export interface SearchHit {
  session: string;
  id: string;
  /** Seconds since the session started, where the line first appeared. */
  time: number;
  offset: number;
  line: string;
  before: string[];
  after: string[];
  /** How many times this exact line appeared (1 with `all`). */
  count: number;
}

export interface WebStatus {
  running: boolean;
  /** The page's address (no credential in it), or null when stopped. */
  url: string | null;
  bind: string | null;
  port: number | null;
  tls: boolean;
}

/** A web credential as listed: never its secret, nor the secret's hash. */
export interface WebCredentialInfo {
  id: string;
  /** token: reusable; link: one browser login, within minutes; login: a browser's cookie. */
  kind: 'token' | 'link' | 'login';
  readOnly: boolean;
  /** The session id it is limited to, or null for every session. */
  session: string | null;
  sessionName: string | null;
  createdAt: number;
  expiresAt: number | null;
  /** A login: the token or link it came from (revoking that revokes it). */
  parent: string | null;
}

export interface PluginInfo {
  name: string;
  source: string;
  state: 'active' | 'errored' | 'disabled';
  error: string | null;
  errors: number;
}
