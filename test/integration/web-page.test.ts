// The web page in a real headless Chromium: login by link, the live session list, a live terminal
// (exact screen, typing, paste, resize), replay, search, a read-only login, a phone screen, reconnection.
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { TestBrowser } from '../helpers/browser';
import { CcmuxHome, alive } from '../helpers/ccmux';
import { waitUntil } from '../helpers/wait-until';

interface WebJson {
  url: string;
  link: string;
  port: number;
}

interface SessionJson {
  id: string;
  name: string;
  cols: number;
  rows: number;
}

const SHELL = ['bash', '--norc', '--noprofile'];
const TUI = [process.execPath, path.join(__dirname, '..', 'fixtures', 'tui.cjs')];

let browser: TestBrowser;
let home: CcmuxHome;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await TestBrowser.launch();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
  await home.cleanup();
});

/** A new browser context logged in through a fresh `ccmux web` link (flags passed on). */
async function openPage(flags: string[] = [], viewport?: { width: number; height: number }, loginPageFirst = false): Promise<Page> {
  const web = await home.json<WebJson>(['web', ...flags]);
  const context = await browser.context(viewport);
  contexts.push(context);
  const page = await context.newPage();
  if (loginPageFirst) {
    await page.goto(web.url);
    await page.waitForSelector('#login form');
  }
  await page.goto(web.link);
  await page.waitForSelector('#app header');
  return page;
}

/** A shell session, once its prompt is up (keys typed earlier race bash's start-up). */
async function shell(name: string): Promise<void> {
  await home.newSession(SHELL, ['-s', name]);
  await home.waitForScreen(name, (screen) => screen.includes('$'), 'the prompt');
}

async function session(name: string): Promise<SessionJson> {
  return (await home.json<SessionJson[]>(['ls'])).find((entry) => entry.name === name)!;
}

/** The live terminal's rows as text (xterm.js's DOM renderer). */
async function terminalLines(page: Page): Promise<string[]> {
  return page.$$eval('.terminal-view .xterm-rows > div', (rows) => rows.map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
}

async function waitForTerminal(page: Page, predicate: (text: string) => boolean, description: string): Promise<string> {
  let last = '';
  return waitUntil(
    description,
    async () => {
      last = (await terminalLines(page)).join('\n');
      return predicate(last) ? last : undefined;
    },
    { detail: () => `terminal was:\n${last}` },
  );
}

async function playerText(page: Page): Promise<string> {
  return (await page.textContent('.replay-stage .ap-term-text').catch(() => null)) ?? '';
}

async function openTerminal(page: Page, name: string): Promise<void> {
  await page.click(`.session[data-name="${name}"] .open`);
  await page.waitForSelector('.terminal-view .xterm-rows');
  await page.waitForSelector('.terminal-view .view-status[data-state="open"]');
}

describe('the web page in Chromium', () => {
  it('logs in by the link (fragment gone), lists sessions with their state and updates the list live', async () => {
    home = new CcmuxHome({ PS1: '$ ' });
    await home.newSession(['bash', '-c', 'echo LAST-LINE-PREVIEW; exec sleep 600'], ['-s', 'sleeper']);
    await home.newSession(['bash', '-c', 'exit 3'], ['-s', 'failed']);
    const page = await openPage();
    await page.waitForSelector('.session[data-name="sleeper"]');
    expect(page.url()).not.toContain('#');
    expect(page.url()).not.toContain('token');
    const card = page.locator('.session[data-name="sleeper"]');
    await waitUntil('the sleeper to show its last line', async () => (await card.locator('.session-preview').textContent())?.includes('LAST-LINE-PREVIEW'));
    expect(await card.locator('.state-running').textContent()).toBe('running');
    expect(await card.locator('.agent').count()).toBe(1);
    expect(await card.locator('.session-command').textContent()).toContain("bash -c 'echo LAST-LINE-PREVIEW; exec sleep 600'");
    expect(await card.locator('.session-cwd').textContent()).toBe(home.dir);
    await waitUntil('the failed session to show its exit', async () => (await page.locator('.session[data-name="failed"] .badge').first().textContent()) === 'exited (3)');

    await home.newSession(['sleep', '600'], ['-s', 'late']);
    await page.waitForSelector('.session[data-name="late"]', { timeout: 5000 });
    // The list shows who is attached.
    await openTerminal(page, 'sleeper');
    await waitUntil('the client count', async () => (await card.locator('.session-meta').textContent())?.includes('1 client'));
  });

  it('shows the exact screen on open, types, pastes and resizes the program', async () => {
    home = new CcmuxHome({ PS1: '$ ' });
    await shell('shell');
    await home.ok(['send', 'shell', 'echo "before $((20+1)) open"']);
    await home.waitForScreen('shell', (screen) => screen.includes('before 21 open'), 'the output before opening');
    const page = await openPage();
    await openTerminal(page, 'shell');
    await waitForTerminal(page, (text) => text.includes('before 21 open'), 'the screen as it was');

    await page.keyboard.type('echo "typed $((6*7))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, (text) => text.includes('typed 42'), "the program's echo");

    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'echo "pasted $((2+3))"');
      document.querySelector('.terminal-view textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.keyboard.press('Enter');
    await waitForTerminal(page, (text) => text.includes('pasted 5'), 'the pasted command');

    const before = await session('shell');
    await page.setViewportSize({ width: 900, height: 500 });
    const cols = Number(await waitUntil('the terminal to refit', async () => {
      const value = await page.getAttribute('.terminal-screen', 'data-cols');
      return value !== String(before.cols) && value;
    }));
    const rows = Number(await page.getAttribute('.terminal-screen', 'data-rows'));
    await waitUntil('the session to take the new size', async () => {
      const now = await session('shell');
      return now.cols === cols && now.rows === rows;
    });
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, (text) => text.includes(`${rows} ${cols}`), 'the program to see the new size');
  });

  it('replays a recording with speed and markers, and search opens the replay at the hit', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'for i in 1 2 3 4 5 6; do echo "step $i"; sleep 0.3; done; echo "needle-in-haystack"; sleep 0.6; echo "the end"'], ['-s', 'steps']);
    await home.ok(['mark', 'steps', 'halfway']);
    await home.ok(['wait', 'steps', '--until', 'exit', '--timeout', '20']);
    const page = await openPage();
    await page.click('.session[data-name="steps"] .replay');
    await page.waitForSelector('.replay-stage .ap-term-text');
    expect(await page.locator('.markers button').first().textContent()).toContain('halfway');
    await page.selectOption('.replay-view .speed', '4');
    await waitUntil('the replay to play to the end', async () => (await playerText(page)).includes('the end'), { timeoutMs: 15_000 });
    expect(await playerText(page)).toContain('step 6');

    await page.fill('.search', 'needle-in');
    const hit = page.locator('.hit[data-session]').first();
    await hit.waitFor({ timeout: 5000 });
    expect(await hit.textContent()).toContain('steps +0:0');
    const time = Number(await hit.getAttribute('data-time'));
    expect(time).toBeGreaterThan(1.5);
    await hit.click();
    await waitUntil('the replay at the hit', async () => (await playerText(page)).includes('needle-in-haystack'));
    const text = await playerText(page);
    // Opened at the moment of the hit: what came after is not on the screen yet.
    expect(text).not.toContain('the end');
    expect(Number(await page.getAttribute('.replay-stage', 'data-at'))).toBeCloseTo(time + 0.2, 3);
  });

  it('replays a session lost in a daemon crash, and a marker seeks the replay', async () => {
    home = new CcmuxHome();
    await home.newSession(['bash', '-c', 'echo "before the crash"; sleep 0.5; echo "still before"; exec sleep 600'], ['-s', 'doomed']);
    await home.ok(['mark', 'doomed', 'start']);
    // Committed to the store (export reads it) before the daemon dies.
    await waitUntil('the output to be recorded', async () => (await home.ok(['export', 'doomed', '--format', 'raw'])).includes('still before'));
    const daemon = home.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitUntil('the daemon to die', () => !alive(daemon));
    const page = await openPage();
    await page.waitForSelector('.session[data-name="doomed"][data-state="lost"]');
    await page.click('.session[data-name="doomed"] .replay');
    await waitUntil('the lost session to replay', async () => (await playerText(page)).includes('still before'));
    await page.waitForSelector('.replay-stage[data-state="ended"]');
    await page.click('.markers button:text("start")');
    await waitUntil('the replay to seek back to the marker', async () => !(await playerText(page)).includes('still before'));
  });

  it('a read-only login shows the exact screen of a full-screen program, and cannot type', async () => {
    home = new CcmuxHome({ PS1: '$ ' });
    await shell('shell');
    await home.newSession(TUI, ['-s', 'tui', '-x', '70', '-y', '16']);
    await home.waitForScreen('tui', (screen) => screen.includes('TUI READY'), 'the TUI to draw');
    // The link pasted into a tab already on the login page: only the fragment changes.
    const page = await openPage(['--read-only'], undefined, true);
    expect(await page.locator('header .account').textContent()).toBe('read-only');

    const mirror = (await home.peek('tui'))
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .trimEnd();
    await openTerminal(page, 'tui');
    // Read-only: the program is not asked to redraw, so this is the daemon's repaint alone.
    await waitForTerminal(page, (text) => text.trimEnd() === mirror, 'the mirror screen, line for line');
    expect((await terminalLines(page)).length).toBe(16);
    expect(await page.getAttribute('.terminal-screen', 'data-cols')).toBe('70');
    expect(await page.locator('.terminal-view .xterm-rows > div').nth(2).locator('span.xterm-fg-1').first().textContent()).toBe('RED');
    const cursorRow = await page.locator('.terminal-view .xterm-rows > div').evaluateAll((rows) => rows.findIndex((row) => row.querySelector('.xterm-cursor')));
    expect(cursorRow).toBe(9);
    await page.click('.terminal-view .close');

    await openTerminal(page, 'shell');
    await page.click('.terminal-view .terminal-screen');
    await page.keyboard.type('echo "read-only $((1+1))"');
    await page.keyboard.press('Enter');
    await home.ok(['send', 'shell', 'echo "from the cli $((3+3))"']);
    await waitForTerminal(page, (text) => text.includes('from the cli 6'), 'output typed elsewhere to show');
    expect((await terminalLines(page)).join('\n')).not.toContain('read-only');
    expect(await home.peek('shell')).not.toContain('read-only');
    expect(await page.locator('.key-bar').isHidden()).toBe(true);
  });

  it('fits a phone screen: the list, then the terminal with a key bar', async () => {
    home = new CcmuxHome();
    await home.newSession(TUI, ['-s', 'tui']);
    await home.waitForScreen('tui', (screen) => screen.includes('TUI READY'), 'the TUI to draw');
    const page = await openPage([], { width: 390, height: 844 });
    await page.waitForSelector('.session[data-name="tui"]');
    const list = await page.locator('aside').boundingBox();
    expect(list!.width).toBeLessThanOrEqual(390);
    await openTerminal(page, 'tui');
    expect(await page.locator('aside').isHidden()).toBe(true);
    const terminal = await page.locator('.terminal-screen').boundingBox();
    expect(terminal!.width).toBeLessThanOrEqual(390);
    expect(terminal!.height).toBeGreaterThan(400);
    // The program redraws at the phone's size.
    const cols = await page.getAttribute('.terminal-screen', 'data-cols');
    await waitForTerminal(page, (text) => new RegExp(`size ${cols}x\\d+ redraws`).test(text), 'the program at the phone size');
    expect(await page.locator('.key-bar').isVisible()).toBe(true);
    // Keys a phone keyboard lacks, as the bytes a terminal sends (the program shows them in hex).
    for (const key of ['Esc', '^C', '↑']) await page.click(`.key-bar button:text-is("${key}")`);
    await page.keyboard.type('x');
    // Reads may merge keys: compare the bytes, not how they were split.
    await waitForTerminal(page, (text) => /GOT: ([0-9a-f ]*)/.exec(text)?.[1]?.replace(/ /g, '') === '1b031b5b4178', 'the key bar bytes');
    await page.click('.terminal-view .close');
    expect(await page.locator('aside').isVisible()).toBe(true);
  });

  it('reconnects by itself after the server drops the connection, with the output it missed; revoked, it asks for a login', async () => {
    home = new CcmuxHome({ PS1: '$ ' });
    await shell('shell');
    const page = await openPage();
    const port = (await home.json<WebJson>(['web'])).port;
    await openTerminal(page, 'shell');
    await page.keyboard.type('echo "first $((1+1))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, (text) => text.includes('first 2'), 'the first echo');

    await home.ok(['web', '--stop']);
    await page.waitForSelector('.terminal-view .view-status[data-state="reconnecting"]');
    await page.waitForSelector('header .connection[data-state="reconnecting"]');
    await home.ok(['send', 'shell', 'echo "while away $((5*5))"']);
    await home.waitForScreen('shell', (screen) => screen.includes('while away 25'), 'the output while the page was away');

    await home.ok(['web', '--port', String(port)]);
    await page.waitForSelector('.terminal-view .view-status[data-state="open"]', { timeout: 15_000 });
    await page.waitForSelector('header .connection[data-state="open"]', { timeout: 15_000 });
    await waitForTerminal(page, (text) => text.includes('while away 25') && text.includes('first 2'), 'the screen restored with what was missed');
    await page.keyboard.type('echo "back $((7*7))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, (text) => text.includes('back 49'), 'typing after the reconnection');

    // Revoked: the page stops retrying and asks for a login.
    await home.ok(['token', '--revoke']);
    await page.waitForSelector('#login form', { timeout: 15_000 });
  });
});
