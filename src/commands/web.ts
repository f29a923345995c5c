// `ccmux web`: starts the daemon's web page and WebSocket (loopback by default) and prints a one-time
// login link for it; --open hands the link to the desktop's browser.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CcmuxError, EXIT } from '../errors';
import { parseDuration } from '../util/duration';
import { JSON_OPTION, printJson, type CommandSpec } from './command';
import { integerOption, stringOption } from './options';
import { GRANT_OPTIONS, describeGrant, grantOptions, mintCredential } from './token';

/** How long a browser login made with the printed link lasts, unless --ttl says otherwise. */
const DEFAULT_LOGIN_TTL = '7d';

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => process.stderr.write(`ccmux: cannot open a browser (${opener}: ${error.message}); open the link above\n`));
  child.unref();
}

export const webCommand: CommandSpec = {
  name: 'web',
  summary: 'serve the web page (sessions, live terminals, replay, search) and print a login link',
  group: 'Daemon',
  examples: [
    'ccmux web --open                 # http://127.0.0.1:PORT/ in your browser, logged in',
    'ccmux web --read-only --session build --ttl 1h',
    'ccmux web --port 7681',
    'ccmux web --bind 0.0.0.0 --allow-remote --tls-cert cert.pem --tls-key key.pem',
    'ccmux web --stop',
  ],
  options: [
    { flags: '--open', description: 'open the link in the default browser' },
    ...GRANT_OPTIONS,
    { flags: '--ttl <duration>', description: `how long the browser stays logged in (default ${DEFAULT_LOGIN_TTL})` },
    { flags: '-p, --port <port>', description: 'port (default: config web.port, 0 = any free port)' },
    { flags: '--bind <address>', description: 'address to listen on (default 127.0.0.1)' },
    { flags: '--allow-remote', description: 'allow an address other machines can reach (needs TLS or --insecure-no-tls)' },
    { flags: '--tls-cert <file>', description: 'serve HTTPS with this certificate (PEM)...' },
    { flags: '--tls-key <file>', description: '...and this private key (PEM)' },
    { flags: '--insecure-no-tls', description: 'with --allow-remote: serve plain HTTP anyway (credentials cross the network in clear)' },
    { flags: '--stop', description: 'stop serving (open pages lose their connection)' },
    JSON_OPTION,
  ],
  async run(context) {
    const resolved = (name: string) => {
      const file = stringOption(context, name);
      return file === undefined ? undefined : path.resolve(file);
    };
    const flag = (name: string) => (context.options[name] ? true : undefined);
    const request = {
      stop: Boolean(context.options.stop),
      port: integerOption(context, 'port', 0, 65_535),
      bind: stringOption(context, 'bind'),
      allowRemote: flag('allowRemote'),
      insecureNoTls: flag('insecureNoTls'),
      tlsCert: resolved('tlsCert'),
      tlsKey: resolved('tlsKey'),
    };
    if ((request.tlsCert === undefined) !== (request.tlsKey === undefined)) throw new CcmuxError('usage', 'give both --tls-cert and --tls-key');
    const connection = request.stop ? await context.connect() : await context.connectOrStart();
    try {
      const status = await connection.request('web', request);
      if (request.stop) {
        if (context.options.json) printJson(context, status);
        else context.print('web endpoint stopped');
        return EXIT.ok;
      }
      const grant = grantOptions(context);
      grant.ttlSeconds ??= parseDuration(DEFAULT_LOGIN_TTL);
      const { secret, credential } = await mintCredential(context, 'link', grant, connection);
      // The fragment never reaches the server (nor logs, nor Referer); the page trades it for a cookie once.
      const link = `${status.url}#token=${secret}`;
      if (context.options.json) printJson(context, { ...status, link, credential });
      else {
        context.print(link);
        process.stderr.write(
          `ccmux: a one-time login link (${describeGrant(credential)}), to open within 10 minutes; ` +
            `\`ccmux token --revoke ${credential.id}\` logs that browser out\n`,
        );
      }
      if (context.options.open) openInBrowser(link);
      return EXIT.ok;
    } finally {
      connection.close();
    }
  },
};
