// Where the web endpoint listens and whom it answers: loopback unless told otherwise, and the Host and
// Origin allow-lists that stop DNS rebinding and cross-site WebSocket hijacking.
import * as net from 'node:net';
import * as os from 'node:os';
import type { Config } from '../config';
import { CcmuxError } from '../errors';
import type { RequestArgs } from '../protocol/requests';

export interface WebSettings {
  /** 0: any free port. */
  port: number;
  bind: string;
  allowRemote: boolean;
  insecureNoTls: boolean;
  tls: { cert: string; key: string } | undefined;
  allowedOrigins: string[];
  allowedHosts: string[];
}

/** The config's web section with what `ccmux web` asked for on top. */
export function webSettings(config: Config['web'], request: RequestArgs<'web'> = { stop: false }): WebSettings {
  if ((request.tlsCert === undefined) !== (request.tlsKey === undefined)) {
    throw new CcmuxError('bad-request', 'web: give both --tls-cert and --tls-key, or neither');
  }
  return {
    port: request.port ?? config.port,
    bind: request.bind ?? config.bind,
    allowRemote: request.allowRemote ?? config.allowRemote,
    insecureNoTls: request.insecureNoTls ?? config.insecureNoTls,
    tls: request.tlsCert !== undefined && request.tlsKey !== undefined ? { cert: request.tlsCert, key: request.tlsKey } : config.tls,
    allowedOrigins: config.allowedOrigins,
    allowedHosts: config.allowedHosts,
  };
}

export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  if (net.isIPv4(address)) return address.startsWith('127.');
  if (net.isIPv6(address)) return /^(::1|(0+:){7}0*1|::ffff:127\.[\d.]+)$/i.test(address);
  return false;
}

/** Refuses a non-loopback address unless asked for explicitly, and then only with TLS or the acknowledgement. */
export function checkBindPolicy(settings: WebSettings): void {
  const { bind } = settings;
  if (bind !== 'localhost' && net.isIP(bind) === 0) throw new CcmuxError('bad-request', `web: bind expects an IP address or localhost, got "${bind}"`);
  if (isLoopback(bind)) return;
  if (!settings.allowRemote) {
    throw new CcmuxError(
      'denied',
      `refusing to serve on ${bind}: not a loopback address, so other machines could reach your sessions; --allow-remote (config web.allowRemote) means it`,
    );
  }
  if (!settings.tls && !settings.insecureNoTls) {
    throw new CcmuxError(
      'denied',
      `refusing to serve on ${bind} without TLS: give --tls-cert and --tls-key (config web.tls), or --insecure-no-tls to accept that credentials cross the network in clear`,
    );
  }
}

/** What a request's Host and Origin headers may be. */
export interface AccessPolicy {
  /** Lowercase `host:port` (and bare `host` on the scheme's default port). */
  hosts: ReadonlySet<string>;
  /** Lowercase `scheme://host[:port]`. */
  origins: ReadonlySet<string>;
  /** The page's address. */
  url: string;
}

function bracketed(address: string): string {
  return net.isIPv6(address) ? `[${address}]` : address;
}

/** Names this machine answers to on `bind`. */
function hostNames(bind: string): string[] {
  if (isLoopback(bind)) return ['127.0.0.1', 'localhost', '[::1]', bracketed(bind)];
  const names = [bracketed(bind), os.hostname()];
  if (bind === '0.0.0.0' || bind === '::') {
    names.push('127.0.0.1', 'localhost', '[::1]');
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const address of addresses ?? []) names.push(bracketed(address.address));
    }
  }
  return names;
}

export function accessPolicy(settings: WebSettings, port: number): AccessPolicy {
  const scheme = settings.tls ? 'https' : 'http';
  const defaultPort = settings.tls ? 443 : 80;
  const hosts = new Set<string>();
  for (const name of [...hostNames(settings.bind), ...settings.allowedHosts]) {
    const lower = name.toLowerCase();
    if (/:\d+$/.test(lower) && !/^[^[]*:.*:/.test(lower)) {
      hosts.add(lower);
      continue;
    }
    hosts.add(`${lower}:${port}`);
    if (port === defaultPort) hosts.add(lower);
  }
  const origins = new Set<string>([...hosts].map((host) => `${scheme}://${host}`));
  for (const origin of settings.allowedOrigins) origins.add(origin.toLowerCase().replace(/\/+$/, ''));
  const shown = settings.bind === '0.0.0.0' || settings.bind === '::' ? os.hostname() : bracketed(settings.bind);
  return { hosts, origins, url: `${scheme}://${shown}:${port}/` };
}

export function hostAllowed(policy: AccessPolicy, host: string | undefined): boolean {
  return host !== undefined && policy.hosts.has(host.toLowerCase());
}

/** Browsers always send Origin on a WebSocket; other programs send none, and cannot be hijacked by a page. */
export function originAllowed(policy: AccessPolicy, origin: string | undefined): boolean {
  return origin === undefined || policy.origins.has(origin.toLowerCase());
}
