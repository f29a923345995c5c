// The config file: every option has a default, and every mistake is reported naming the bad key.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';

const error = (text: string, env: Record<string, string> = {}) => {
  try {
    parseConfig(text, '/x/config.json', env);
  } catch (thrown) {
    return (thrown as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('config', () => {
  it('fills in every default', () => {
    const config = parseConfig('', '/x/config.json');
    expect(config).toEqual({
      prefix: 'C-b',
      scrollback: 1000,
      recording: { input: false, maxSessionBytes: 1024 ** 3, maxTotalBytes: 10 * 1024 ** 3 },
      hooks: {},
      plugins: { notify: { desktop: 'auto', terminal: true, graceSeconds: 3, minIntervalSeconds: 10 } },
      disabledPlugins: [],
      pluginHangSeconds: 15,
      web: { enabled: false, port: 0, bind: '127.0.0.1', allowRemote: false, insecureNoTls: false, allowedOrigins: [], allowedHosts: [] },
    });
    expect(parseConfig('{"recording": {"input": true}}', '/x/config.json').recording).toEqual({ input: true, maxSessionBytes: 1024 ** 3, maxTotalBytes: 10 * 1024 ** 3 });
  });

  it('names the bad key, and the known keys for a typo', () => {
    expect(error('{"scrollback": "lots"}')).toBe('/x/config.json: config.scrollback: expected an integer from 0 to 100000, got string');
    expect(error('{"recording": {"maxTotalBytes": 5}}')).toMatch(/^\/x\/config\.json: config\.recording\.maxTotalBytes: expected an integer from 1048576/);
    expect(error('{"recording": {"inputs": true}}')).toBe('/x/config.json: config.recording.inputs: unknown key (known: input, maxSessionBytes, maxTotalBytes)');
    expect(error('{"prefix": "C-b", "prefx": "C-a"}')).toMatch(/^\/x\/config\.json: config\.prefx: unknown key \(known: prefix, defaultCommand, /);
    expect(error('{"prefix": "Hyper-q"}')).toMatch(/^\/x\/config\.json: config\.prefix: /);
    expect(error('{}', { CCMUX_PREFIX: 'Hyper-q' })).toMatch(/^\/x\/config\.json: \$CCMUX_PREFIX: /);
    expect(error('{"hooks": {"session-exploded": "true"}}')).toMatch(/config\.hooks\.session-exploded: unknown event/);
    expect(error('{"scrollback": 10,}')).toMatch(/^config \/x\/config\.json: not valid JSON/);
  });

  it('checks the notify plugin settings, and leaves other plugins theirs', () => {
    expect(error('{"plugins": {"notify": {"desktop": "yes"}}}')).toBe('/x/config.json: config.plugins.notify.desktop: expected true, false or "auto"');
    expect(error('{"plugins": {"notify": {"webhook": "ftp://x"}}}')).toBe('/x/config.json: config.plugins.notify.webhook: expected an http:// or https:// URL');
    expect(error('{"plugins": {"notify": {"sound": true}}}')).toMatch(/config\.plugins\.notify\.sound: unknown key/);
    const config = parseConfig('{"plugins": {"notify": {"webhook": "https://hooks.example/x"}, "mine": {"anything": [1]}}}', '/x/config.json');
    expect(config.plugins).toEqual({
      notify: { desktop: 'auto', terminal: true, webhook: 'https://hooks.example/x', graceSeconds: 3, minIntervalSeconds: 10 },
      mine: { anything: [1] },
    });
  });
});
