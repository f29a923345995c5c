// Throughput: a session cats N MiB of realistic logs, with a client attached through a PTY (until the end marker
// reaches it) and detached (until the program has written everything), ccmux and tmux in interleaved rounds.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { cpuMs, median, mkfifo, signalFifo, threadCpuDiff, threadCpuMs, waitFor } from './lib/harness.mjs';
import { PtyClient } from './lib/pty-client.mjs';

/**
 * The session's program: says it is ready through a file, waits for "go" on a FIFO (both out of band), cats
 * the payload, writes its start and end time and cat's status to a file, then prints the end marker.
 */
export const FEED_SCRIPT = `# feed.sh DIR TAG PAYLOAD MARKER
printf 'BENCH-READY-%s\\r\\n' "$2"
: > "$1/$2.ready"
read -r _ < "$1/$2.go"
s=$EPOCHREALTIME
cat "$3"; rc=$?
e=$EPOCHREALTIME
printf '%s %s %s\\n' "$s" "$e" "$rc" > "$1/$2.tmp" && mv "$1/$2.tmp" "$1/$2.done"
printf '\\r\\n%s\\r\\n' "$4"
exec sleep 100000
`;

let runs = 0;

/** One run: returns MiB/s and what was checked. */
async function runOnce(work, mux, { attached, payload, bytes, timeoutMs }) {
  const tag = `tp${++runs}`;
  const marker = `BENCH-END-${randomBytes(8).toString('hex')}`;
  const script = work.path('feed.sh');
  mkfifo(work.path(`${tag}.go`));
  mux.newSession(tag, ['bash', script, work.dir, tag, payload, marker]);
  let client;
  try {
    await waitFor(`${mux.label} session ${tag} to be ready`, () => fs.existsSync(work.path(`${tag}.ready`)), 10_000);
    let markerSeen;
    if (attached) {
      const [file, args] = mux.attachArgs(tag);
      client = new PtyClient(file, args, { env: mux.env, cwd: work.dir, cols: 80, rows: 24 });
      await client.expect(`BENCH-READY-${tag}`, 10_000);
      markerSeen = client.expect(marker, timeoutMs);
      markerSeen.catch(() => undefined);
    }
    const clientBytesBefore = client?.bytes ?? 0;
    const serverPid = mux.pids()[0];
    const cpuBefore = { server: cpuMs(serverPid), client: client ? cpuMs(client.pid) : 0, threads: threadCpuMs(serverPid) };
    await signalFifo(work.path(`${tag}.go`));
    const donePath = work.path(`${tag}.done`);
    await waitFor(`${mux.label} session ${tag} to finish writing`, () => fs.existsSync(donePath), timeoutMs, 2);
    const [start, end, status] = fs.readFileSync(donePath, 'utf8').trim().split(' ');
    if (status !== '0') throw new Error(`cat exited ${status} in ${mux.label} session ${tag}`);
    const startMs = Number(start) * 1000;
    let endMs = Number(end) * 1000;
    const result = { attached };
    if (attached) {
      endMs = performance.timeOrigin + (await markerSeen);
      result.clientBytes = client.bytes - clientBytesBefore;
      result.clientCpuMs = cpuMs(client.pid) - cpuBefore.client;
    }
    // CPU of the multiplexer's server (all threads) until the end was seen: less sensitive to a busy machine
    // than wall time. Detached, work still queued (parsing, compression) comes after: "settled" includes it.
    result.serverCpuMs = cpuMs(serverPid) - cpuBefore.server;
    if (attached) {
      if (mux.label === 'ccmux') result.resyncs = mux.session(tag)?.clients?.[0]?.resyncs ?? null;
      result.serverThreadsMs = threadCpuDiff(threadCpuMs(serverPid), cpuBefore.threads);
    } else {
      await verifyDetached(mux, tag, marker, bytes);
      result.serverCpuMsSettled = cpuMs(serverPid) - cpuBefore.server;
      // By thread: ccmux's main thread, mirror worker (WorkerThread), libuv pool (zstd, LMDB), V8 GC helpers.
      result.serverThreadsMs = threadCpuDiff(threadCpuMs(serverPid), cpuBefore.threads);
    }
    result.seconds = (endMs - startMs) / 1000;
    result.mibps = bytes / 1024 / 1024 / result.seconds;
    return result;
  } finally {
    await client?.close();
    await mux.removeSession(tag);
    for (const suffix of ['ready', 'go', 'done']) fs.rmSync(work.path(`${tag}.${suffix}`), { force: true });
  }
}

/** Nothing counts that did not pass through: the multiplexer read every byte and shows the marker. */
async function verifyDetached(mux, tag, marker, bytes) {
  if (mux.label === 'ccmux') {
    await waitFor(`ccmux to have read all ${bytes} bytes of ${tag}`, () => mux.session(tag)?.recording.outputBytes >= bytes, 30_000, 20);
    await waitFor(`the marker on ccmux's screen of ${tag}`, () => mux.run(['peek', tag]).includes(marker), 30_000, 50);
  } else {
    await waitFor(`the marker on tmux's screen of ${tag}`, () => mux.run(['capture-pane', '-p', '-t', tag]).includes(marker), 30_000, 50);
  }
}

/** Runs `rounds` interleaved rounds (rotating order) of attached and detached, for each multiplexer. */
export async function throughput({ work, muxes, rounds, mib, payloadFile, log }) {
  fs.writeFileSync(work.path('feed.sh'), FEED_SCRIPT);
  const bytes = fs.statSync(payloadFile).size;
  const cases = [];
  for (const attached of [true, false]) for (const mux of muxes) cases.push({ name: `${mux.label} ${attached ? 'attached' : 'detached'}`, mux, attached });
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length];
      const result = await runOnce(work, c.mux, { attached: c.attached, payload: payloadFile, bytes, timeoutMs: 300_000 });
      samples[c.name].push(result);
      log(`throughput round ${round + 1}/${rounds}: ${c.name} ${result.mibps.toFixed(1)} MiB/s${result.resyncs ? ` (${result.resyncs} resyncs)` : ''}`);
    }
  }
  const summary = {};
  for (const [name, results] of Object.entries(samples)) {
    summary[name] = { mibps: median(results.map((r) => r.mibps)), samples: results };
  }
  return { mib, bytes, rounds, cases: summary };
}
