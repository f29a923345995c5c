// The load scenario shared by the fast test and the soak: many sessions printing, clients attaching
// and detaching in a loop, `ls` latency sampled; then every byte checked against the recordings.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CcmuxHome } from './ccmux';
import { Random } from './fuzz';
import { children, openFds, rssMiB } from './proc';
import { RawClient } from './raw-client';
import { waitUntil } from './wait-until';

const PRINTER = path.join(__dirname, '..', 'fixtures', 'printer.cjs');

export interface LoadOptions {
  sessions: number;
  clients: number;
  seconds: number;
  /** Milliseconds between a printer's writes (3 lines each). */
  intervalMs: number;
  seed: number;
}

export interface LoadReport {
  sessions: number;
  clients: number;
  seconds: number;
  attachCycles: number;
  /** Connects refused with EAGAIN (listen backlog full). */
  backlogFull: number;
  printedBytes: number;
  recordedBytes: number;
  lostBytes: number;
  mismatchedSessions: string[];
  lsMs: { samples: number; p50: number; p99: number; max: number };
  /** How long `new` took while the sessions before it were printing. */
  newMs: { p50: number; max: number };
  rssMiB: { before: number; max: number; after: number };
  fds: { before: number; duringMax: number; after: number };
  /** Children left after the load, and zombies that stayed unreaped across two samples. */
  children: { after: number; zombiesSeen: number };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

/** Sends one request on a raw connection and resolves with its response. */
function request(client: RawClient, id: number, command: string, args: object): Promise<Record<string, unknown>> {
  // Event-driven rather than polled: the latency measured is the daemon's, not this process's timers.
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${command} #${id} within 120 s`)), 120_000);
    const look = () => {
      const answer = client.controls().find((c) => c.type === 'response' && c.id === id);
      if (!answer) return;
      clearTimeout(timer);
      client.socket.removeListener('data', look);
      client.frames.length = 0; // one request at a time on this connection: keep parsing cheap
      resolve(answer);
    };
    client.socket.on('data', look);
    client.request(id, command, args);
  });
}

export async function runLoad(home: CcmuxHome, options: LoadOptions): Promise<LoadReport> {
  const random = new Random(options.seed);
  // The daemon, with one idle session, is the baseline for descriptors and children.
  await home.newSession(['sleep', '100000'], ['-s', 'baseline']);
  const daemon = home.daemonPid()!;
  const control = await RawClient.connect(home.socket);
  control.hello();
  let id = 1;
  await request(control, id++, 'status', {});
  const fdsBefore = openFds(daemon);
  const rssBefore = rssMiB(daemon);

  const sides: string[] = [];
  const newLatencies: number[] = [];
  for (let n = 0; n < options.sessions; n++) {
    const side = path.join(home.dir, `printed-${n}.txt`);
    sides.push(side);
    const command = ['sh', '-c', `stty -opost; exec '${process.execPath}' '${PRINTER}' ${options.seed + n} ${options.seconds} '${side}' ${options.intervalMs}`];
    const started = performance.now();
    const answer = await request(control, id++, 'new', { name: `load-${n}`, command, cwd: home.dir, cols: 100, rows: 30, env: home.env });
    if (answer.ok !== true) throw new Error(`new load-${n}: ${JSON.stringify(answer)}`);
    newLatencies.push(performance.now() - started);
  }

  let stop = false;
  let cycles = 0;
  let zombiesSeen = 0;
  let lastZombies = new Set<number>();
  let rssMax = rssBefore;
  let fdsMax = fdsBefore;
  const latencies: number[] = [];

  let backlogFull = 0;
  const attacher = async () => {
    while (!stop) {
      let client: RawClient;
      try {
        client = await RawClient.connect(home.socket);
      } catch (error) {
        // EAGAIN: the listen backlog is full because the daemon's event loop is behind; counted, retried.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        backlogFull++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      client.hello();
      const readOnly = random.chance(0.5);
      client.request(1, 'attach', { session: `load-${random.int(0, options.sessions - 1)}`, readOnly, cols: random.int(60, 200), rows: random.int(20, 60) });
      const until = Date.now() + random.int(50, 500);
      await waitUntil('time attached', () => Date.now() > until || client.closed, { intervalMs: 10, timeoutMs: 10_000 });
      if (random.chance(0.5)) client.send({ type: 'detach' });
      client.close();
      cycles++;
    }
  };
  const sampler = async () => {
    while (!stop) {
      const started = performance.now();
      await request(control, id++, 'ls', {});
      latencies.push(performance.now() - started);
      rssMax = Math.max(rssMax, rssMiB(daemon));
      fdsMax = Math.max(fdsMax, openFds(daemon));
      // A program is a zombie for the moment between its exit and node-pty's waitpid; one still a
      // zombie a sample (≥ 200 ms) later was never reaped.
      const zombies = new Set(children(daemon).filter((child) => child.state === 'Z').map((child) => child.pid));
      zombiesSeen = Math.max(zombiesSeen, [...zombies].filter((pid) => lastZombies.has(pid)).length);
      lastZombies = zombies;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const loops = [...Array.from({ length: options.clients }, attacher), sampler()];
  // The printers stop by themselves; the load goes on until they all have.
  await waitUntil('every printer to finish', () => sides.every((side) => fs.existsSync(side)), { timeoutMs: options.seconds * 1000 + 120_000, intervalMs: 200 });
  stop = true;
  await Promise.all(loops);

  // Every session's recording, byte for byte, against what its program says it printed.
  let printedBytes = 0;
  let recordedBytes = 0;
  let lostBytes = 0;
  const mismatchedSessions: string[] = [];
  for (let n = 0; n < options.sessions; n++) {
    await home.ok(['wait', `load-${n}`, '--until', 'exit', '--timeout', '60']);
    const [bytes, digest] = fs.readFileSync(sides[n]!, 'utf8').trim().split(' ');
    const out = path.join(home.dir, `load-${n}.raw`);
    await home.ok(['export', `load-${n}`, '--format', 'raw', '-o', out]);
    const recorded = fs.readFileSync(out);
    printedBytes += Number(bytes);
    recordedBytes += recorded.length;
    lostBytes += Math.max(0, Number(bytes) - recorded.length);
    if (createHash('sha256').update(recorded).digest('hex') !== digest) mismatchedSessions.push(`load-${n}`);
    fs.rmSync(out);
  }

  control.close();
  // Everything the load opened is closed again, and every program reaped.
  let fdsAfter = openFds(daemon);
  await waitUntil('descriptors back to the baseline', () => (fdsAfter = openFds(daemon)) <= fdsBefore, { timeoutMs: 15_000 }).catch(() => undefined);
  const after = children(daemon);
  latencies.sort((a, b) => a - b);
  newLatencies.sort((a, b) => a - b);
  return {
    sessions: options.sessions,
    clients: options.clients,
    seconds: options.seconds,
    attachCycles: cycles,
    backlogFull,
    printedBytes,
    recordedBytes,
    lostBytes,
    mismatchedSessions,
    lsMs: { samples: latencies.length, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0) },
    newMs: { p50: round(percentile(newLatencies, 50)), max: round(newLatencies.at(-1) ?? 0) },
    rssMiB: { before: round(rssBefore), max: round(rssMax), after: round(rssMiB(daemon)) },
    fds: { before: fdsBefore, duringMax: fdsMax, after: fdsAfter },
    children: { after: after.length, zombiesSeen: Math.max(zombiesSeen, after.filter((child) => child.state === 'Z').length) },
  };
}

const round = (value: number) => Math.round(value * 10) / 10;
