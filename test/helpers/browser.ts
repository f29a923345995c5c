// A real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core over CDP. We start the
// process ourselves, with a fresh profile and the flags that keep it off the network, and kill it by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { alive } from './ccmux';
import { waitUntil } from './wait-until';

export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium floods this closed network with requests. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class TestBrowser {
  private constructor(
    readonly browser: Browser,
    private readonly process: ChildProcess,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<TestBrowser> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`make deps-chromium\` installs it (\`make test\` does)`);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-chromium-'));
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`chromium did not start within 30 s:\n${stderr}`)), 30_000);
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`chromium exited with ${code}:\n${stderr}`)));
      });
      // Keep reading its stderr so that it never blocks on a full pipe.
      child.stderr!.resume();
      const browser = await chromium.connectOverCDP(endpoint);
      return new TestBrowser(browser, child, profile);
    } catch (error) {
      child.kill('SIGKILL');
      fs.rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  /** A fresh context (its own cookies) with a viewport of this size. */
  async context(viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
    return this.browser.newContext({ viewport });
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    const pid = this.process.pid;
    if (pid !== undefined && alive(pid)) {
      this.process.kill('SIGTERM');
      await waitUntil('chromium to exit', () => !alive(pid), { timeoutMs: 5000 }).catch(() => this.process.kill('SIGKILL'));
    }
    // Helper processes may still be writing the profile as they exit: retry.
    fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
