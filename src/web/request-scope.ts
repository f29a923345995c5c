// What a web client may ask: requests that manage the endpoint itself never; with a credential limited to
// one session, only requests about that session (and `ls` narrowed to it).
import { CcmuxError } from '../errors';
import { REQUEST_ARGS, type RequestName, type SessionInfo } from '../protocol/requests';
import type { RequestGuard } from '../server/connection';
import type { SessionRegistry } from '../server/session-registry';

/**
 * never: not over the web (credentials, the endpoint, agent hook reports);
 * global: not about one session, so only with a credential for every session;
 * session: about `args.session` (filled in for a limited credential when it may be left out);
 * list: answered with the sessions the credential may see.
 */
type Rule = 'never' | 'global' | 'session' | 'list';

const RULES: { [K in RequestName]: Rule } = {
  status: 'global',
  new: 'global',
  attach: 'session',
  ls: 'list',
  kill: 'session',
  rename: 'session',
  has: 'session',
  rm: 'session',
  'kill-server': 'global',
  send: 'session',
  peek: 'session',
  wait: 'session',
  resize: 'session',
  mark: 'session',
  respawn: 'session',
  import: 'global',
  prune: 'global',
  'agent-hook': 'never',
  events: 'session',
  mute: 'session',
  notify: 'global',
  plugins: 'global',
  search: 'session',
  tail: 'session',
  web: 'never',
  token: 'never',
};

export interface Scope {
  /** The session id the credential is limited to, or null for all. */
  session: string | null;
  sessionName: string | null;
}

export function webRequestGuard(scope: Scope, registry: SessionRegistry): RequestGuard {
  const limited = scope.session;
  const denied = (command: string) => new CcmuxError('denied', `${command}: this credential is limited to session ${scope.sessionName ?? limited}`);
  return {
    check(command, rawArgs) {
      const rule = RULES[command];
      if (rule === 'never') throw new CcmuxError('denied', `${command} is not available over the web endpoint`);
      if (limited === null || rule === 'list') return rawArgs;
      if (rule === 'global') throw denied(command);
      const args = REQUEST_ARGS[command].parse(rawArgs ?? {}, command) as { session?: string };
      if (args.session !== undefined) {
        let id: string | undefined;
        try {
          id = registry.resolve(args.session).id;
        } catch {
          // Not found and not allowed read the same: a limited client learns nothing of other sessions.
        }
        if (id !== limited) throw denied(command);
      }
      return { ...args, session: limited };
    },
    filter(command, result) {
      if (limited === null || RULES[command] !== 'list') return result;
      return (result as SessionInfo[]).filter((session) => session.id === limited);
    },
  };
}
