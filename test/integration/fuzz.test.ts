// Bad input on the wire: a seeded fuzzer sends ≥ 10 000 random, truncated, oversized and garbage frames;
// each gets an error or a closed connection, and the daemon stays up, correct and leak-free.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CcmuxHome } from '../helpers/ccmux';
import { fuzz, unixTransport, webSocketTransport, type FuzzTransport } from '../helpers/fuzz';
import { openFds } from '../helpers/proc';
import { waitUntil } from '../helpers/wait-until';

let home: CcmuxHome;

afterEach(async () => {
  await home.cleanup();
});

const SEED = Number(process.env.CCMUX_FUZZ_SEED ?? 20261121);
const CASES = Number(process.env.CCMUX_FUZZ_CASES ?? 10_000);

/** Transports to fuzz: the unix socket and the WebSocket speak the same protocol. */
const TRANSPORTS: { name: string; make(home: CcmuxHome): FuzzTransport }[] = [
  { name: 'unix socket', make: (h) => unixTransport(h.socket) },
  { name: 'WebSocket', make: (h) => webSocketTransport(h) },
];

describe('protocol fuzzing', () => {
  for (const transport of TRANSPORTS) {
    it(`answers ${CASES} bad frames on the ${transport.name} with errors or a close, and stays up and correct`, async () => {
      home = new CcmuxHome();
      // Raw mode: fuzzed input (^C, ^Z…) reaches cat as bytes and cannot stop it.
      await home.newSession(['sh', '-c', 'stty raw -echo; exec cat > /dev/null'], ['-s', 'target']);
      await home.newSession(['sh', '-c', 'echo ended'], ['-s', 'gone']);
      await home.ok(['wait', 'gone', '--until', 'exit']);
      const daemon = home.daemonPid()!;
      const fdsBefore = openFds(daemon);

      const started = Date.now();
      const report = await fuzz(transport.make(home), { seed: SEED, cases: CASES, sessions: ['target', 'gone'], lanes: 4 });
      console.log(`fuzz (${transport.name}): ${JSON.stringify(report)} in ${Date.now() - started} ms`);
      expect(report.cases).toBe(CASES);
      expect(report.outcomes.errorResponse + report.outcomes.closed).toBeGreaterThan(CASES / 2);

      // Same daemon, same sessions, and it still does real work.
      expect(home.daemonPid()).toBe(daemon);
      const sessions = await home.json<{ name: string; state: string }[]>(['ls']);
      expect(sessions.map((s) => [s.name, s.state])).toEqual([
        ['target', 'running'],
        ['gone', 'exited'],
      ]);
      await home.newSession(['sh', '-c', 'echo fuzz-survivor; sleep 600'], ['-s', 'after']);
      await home.waitForScreen('after', (s) => s.includes('fuzz-survivor'), 'a new session after the fuzzing');
      // Every fuzz connection was freed (the new session adds its PTY's fds, hence the slack).
      await waitUntil('the fuzz connections to be freed', () => openFds(daemon) <= fdsBefore + 4, { detail: () => `${openFds(daemon)} fds, ${fdsBefore} before` });
      const log = fs.readFileSync(home.log, 'utf8');
      expect(log).not.toMatch(/uncaught|unhandled rejection|failed: /);
    }, 60_000 + CASES * 5);
  }
});
