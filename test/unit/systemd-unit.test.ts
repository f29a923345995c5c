// The systemd user unit `ccmux service install` writes: the daemon in the foreground, the same paths as
// the installing shell, quoting that survives spaces, % and $.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/paths';
import { ALREADY_RUNNING_STATUS, installedSocket, unitPath, unitText } from '../../src/service/systemd';

describe('the systemd user unit', () => {
  it('lives in $XDG_CONFIG_HOME/systemd/user (or ~/.config)', () => {
    expect(unitPath({ XDG_CONFIG_HOME: '/c', HOME: '/h' })).toBe('/c/systemd/user/ccmux.service');
    expect(unitPath({ HOME: '/h' })).toBe('/h/.config/systemd/user/ccmux.service');
  });

  it('runs `ccmux server` with the installing shell\'s paths, logging where the daemon always logs', () => {
    const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000', PATH: '/usr/bin:/bin' };
    const paths = resolvePaths(env);
    const text = unitText({ self: { file: '/opt/my tools/ccmux', args: [] }, paths, version: '1.2.3', env });
    expect(text).toContain('ExecStart="/opt/my tools/ccmux" "server"\n');
    expect(text).toContain('Environment="XDG_RUNTIME_DIR=/run/user/1000"\n');
    expect(text).toContain('UnsetEnvironment=CCMUX_HOME\n');
    expect(text).toContain('UnsetEnvironment=XDG_STATE_HOME\n');
    expect(text).toContain('Environment="PATH=/usr/bin:/bin"\n');
    expect(text).toContain(`StandardOutput=append:${paths.log}\n`);
    expect(text).toContain(`RestartPreventExitStatus=${ALREADY_RUNNING_STATUS}\n`);
    expect(text).toContain('KillMode=mixed\n');
    expect(text).toContain('WantedBy=default.target\n');
    expect(text).toContain('ccmux 1.2.3');
  });

  it('escapes what systemd would expand', () => {
    const env = { HOME: '/h', CCMUX_HOME: '/data/100%/"q"' };
    const text = unitText({ self: { file: '/usr/bin/node', args: ['/srv/$app/ccmux.cjs'] }, paths: resolvePaths(env), version: '1', env });
    expect(text).toContain('ExecStart="/usr/bin/node" "/srv/$$app/ccmux.cjs" "server"\n');
    expect(text).toContain('Environment="CCMUX_HOME=/data/100%%/\\"q\\""\n');
  });

  it('records its socket, so that a client starts it only when it is that client\'s daemon', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-unit-'));
    try {
      const file = path.join(dir, 'ccmux.service');
      expect(installedSocket(file)).toBeUndefined();
      const env = { HOME: '/h', CCMUX_HOME: '/tmp/x y' };
      fs.writeFileSync(file, unitText({ self: { file: '/bin/ccmux', args: [] }, paths: resolvePaths(env), version: '1', env }));
      expect(installedSocket(file)).toBe('/tmp/x y/ccmux.sock');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
