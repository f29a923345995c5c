// The user's config file: loaded, validated with errors that name the bad key, merged over defaults.
import * as fs from 'node:fs';
import { CcmuxError } from './errors';
import { Infer, ValidationError, anything, array, boolean, integer, number, object, optional, record, string, withDefault, type Validator } from './protocol/schema';
import { prefixByte } from './keys';

/** A command, or a list of commands. */
const commands: Validator<string[], string | string[]> = {
  description: 'a command or a list of commands',
  parse(value, where) {
    if (typeof value === 'string') return [value];
    return array(string({ min: 1 }), 64).parse(value, where);
  },
};

/** Event names a shell hook can be given for (the plugin API's events). */
export const HOOK_EVENTS = [
  'session-created',
  'session-exited',
  'session-lost',
  'client-attached',
  'client-detached',
  'output-idle',
  'bell',
  'notification',
  'title-changed',
  'agent-state-changed',
  'marker',
] as const;

/** `desktop` of the notify plugin: on, off, or on where `notify-send` is installed. */
const desktopSetting: Validator<boolean | 'auto'> = {
  description: 'true, false or "auto"',
  parse(value, where) {
    if (value === true || value === false || value === 'auto') return value;
    throw new ValidationError(`${where}: expected true, false or "auto"`);
  },
};

/** The bundled notify plugin's settings (plugins/notify): where notifications go and how often. */
export const NOTIFY_SCHEMA = object({
  /** Desktop notifications through notify-send; "auto": when it is installed. */
  desktop: withDefault(desktopSetting, 'auto'),
  /** A notification on every attached ccmux terminal (other than the session's own). */
  terminal: withDefault(boolean(), true),
  /** A shell command run for each notification (CCMUX_NOTIFY_* in its environment, JSON on stdin). */
  command: optional(string({ min: 1 })),
  /** A URL that each notification is POSTed to as JSON. */
  webhook: optional(string({ pattern: /^https?:\/\/\S+$/, hint: 'an http:// or https:// URL' })),
  /** An agent must stay idle this long after working before "done" is sent (agents pause between steps). */
  graceSeconds: withDefault(number(0, 3600), 3),
  /** The same kind of notification about the same session at most once in this long. */
  minIntervalSeconds: withDefault(number(0, 86_400), 10),
});

const NOTIFY_DEFAULTS = NOTIFY_SCHEMA.parse({}, 'notify');

/** Settings by plugin name; the bundled notify plugin's are checked here, other plugins check their own. */
const pluginSettings: Validator<Record<string, Record<string, unknown>>, Record<string, Record<string, unknown>>> = {
  description: 'an object of plugin settings by plugin name',
  parse(value, where) {
    const all = record(record(anything(), 256), 256).parse(value, where);
    return { ...all, notify: NOTIFY_SCHEMA.parse(all.notify ?? {}, `${where}.notify`) };
  },
};

export const CONFIG_SCHEMA = object({
  /** Prefix key for attach commands (detach is prefix then d). */
  prefix: withDefault(string({ min: 1, max: 16 }), 'C-b'),
  /** Program a new session runs when none is given; default: $SHELL. */
  defaultCommand: optional(array(string({ min: 1 }), 256)),
  /** Lines of scrollback each session's screen mirror keeps in memory (deeper history is in the store). */
  scrollback: withDefault(integer(0, 100_000), 1000),
  recording: withDefault(
    object({
      /** Record what is typed into sessions. Off by default: passwords are input. */
      input: withDefault(boolean(), false),
      /** Per-session cap on stored bytes; the oldest output is trimmed first. */
      maxSessionBytes: withDefault(integer(1 << 20, Number.MAX_SAFE_INTEGER), 1024 ** 3),
      /** Cap on the whole store; the oldest sessions' output is trimmed first. */
      maxTotalBytes: withDefault(integer(1 << 20, Number.MAX_SAFE_INTEGER), 10 * 1024 ** 3),
    }),
    { input: false, maxSessionBytes: 1024 ** 3, maxTotalBytes: 10 * 1024 ** 3 },
  ),
  /** Shell hooks: an event name (e.g. `agent-state-changed`) → a command or a list of commands. */
  hooks: withDefault(record(commands, 64), {}),
  /** Each plugin's own settings, by plugin name (e.g. `notify`). */
  plugins: withDefault(pluginSettings, { notify: NOTIFY_DEFAULTS }),
  /** Bundled plugins to switch off (`notify`, `shell-hooks`). */
  disabledPlugins: withDefault(array(string({ min: 1 }), 64), []),
  /** A plugin handler still running after this long is stopped and the plugin switched off. */
  pluginHangSeconds: withDefault(number(1, 3600), 15),
  /** The local web page and WebSocket (docs/PROTOCOL.md); `ccmux web` starts it on demand too. */
  web: withDefault(
    object({
      enabled: withDefault(boolean(), false),
      /** 0: any free port. */
      port: withDefault(integer(0, 65_535), 0),
      bind: withDefault(string({ min: 1, max: 255 }), '127.0.0.1'),
      /** Required to bind an address other than loopback, together with TLS or insecureNoTls. */
      allowRemote: withDefault(boolean(), false),
      /** Acknowledges serving a non-loopback address without TLS (tokens then cross the network in clear). */
      insecureNoTls: withDefault(boolean(), false),
      tls: optional(object({ cert: string({ min: 1 }), key: string({ min: 1 }) })),
      /** Origins allowed besides the page's own (e.g. `https://ccmux.example`). */
      allowedOrigins: withDefault(array(string({ min: 1, max: 255 }), 64), []),
      /** Host names allowed besides the bound address (e.g. a name behind a reverse proxy). */
      allowedHosts: withDefault(array(string({ min: 1, max: 255 }), 64), []),
    }),
    { enabled: false, port: 0, bind: '127.0.0.1', allowRemote: false, insecureNoTls: false, allowedOrigins: [], allowedHosts: [] },
  ),
});

export type Config = Infer<typeof CONFIG_SCHEMA>;

/** Reads and validates the config file; a missing file means defaults. Environment overrides win. */
export function loadConfig(file: string, env: Record<string, string | undefined> = process.env): Config {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CcmuxError('io', `cannot read config ${file}: ${(error as Error).message}`);
    }
  }
  return parseConfig(text, file, env);
}

/** Validates config text; errors name `file` and the bad key (`config.recording.maxTotalBytes: …`). */
export function parseConfig(text: string, file: string, env: Record<string, string | undefined> = {}): Config {
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new CcmuxError('usage', `config ${file}: not valid JSON (${(error as Error).message})`);
    }
  }
  if (env.CCMUX_PREFIX) raw = { ...(raw as object), prefix: env.CCMUX_PREFIX };
  let config: Config;
  try {
    config = CONFIG_SCHEMA.parse(raw, 'config');
  } catch (error) {
    if (error instanceof ValidationError) throw new CcmuxError('usage', `${file}: ${error.message}`);
    throw error;
  }
  try {
    prefixByte(config.prefix);
  } catch (error) {
    const where = env.CCMUX_PREFIX ? '$CCMUX_PREFIX' : 'config.prefix';
    throw new CcmuxError('usage', `${file}: ${where}: ${(error as Error).message}`);
  }
  for (const event of Object.keys(config.hooks)) {
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
      throw new CcmuxError('usage', `${file}: config.hooks.${event}: unknown event (one of ${HOOK_EVENTS.join(', ')})`);
    }
  }
  return config;
}
