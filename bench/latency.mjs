// Keystroke echo latency: one key at a time into an attached client whose session runs `cat` in raw mode, until
// the echo comes back out of the client's PTY; the floor, `cat` on the PTY with no multiplexer; and a bare
// two-process Node relay (lib/node-relay.mjs), what ccmux's shape costs on this runtime before its own work.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { median, quantile, waitFor } from './lib/harness.mjs';
import { PtyClient } from './lib/pty-client.mjs';

const RELAY = join(import.meta.dirname, 'lib', 'node-relay.mjs');
/** Stands for the relay among the candidates (it is not a multiplexer object). */
const NODE_RELAY = { label: 'node relay' };

const KEYS = 'abcdefghijklmnopqrstuvwxyz';
/** A pause between keys, like (fast) typing, so that the multiplexer's timers run between keys as they would. */
const GAP_MS = 10;
const WARMUP_KEYS = 20;

/** The session's program: raw mode and no echo on the session's own PTY, so the echo is cat's. */
const catScript = (tag) => `stty raw -echo; printf 'BENCH-READY-%s\\r\\n' ${tag}; exec cat`;

let blocks = 0;

/** Types `keys` keys into `client` and returns each round trip in µs. */
async function typeKeys(client, keys) {
  const samples = [];
  for (let index = 0; index < WARMUP_KEYS + keys; index++) {
    const key = KEYS[index % KEYS.length];
    const echoed = client.expect(key, 5000);
    const sent = performance.now();
    client.write(key);
    const at = await echoed;
    if (index >= WARMUP_KEYS) samples.push((at - sent) * 1000);
    await new Promise((resolve) => setTimeout(resolve, GAP_MS));
  }
  return samples;
}

/** The relay's server in the background, its client on the measured PTY. */
async function relayBlock(work, tag, keys) {
  const socket = work.path(`${tag}.sock`);
  const server = spawn(process.execPath, [RELAY, 'server', socket, '--', 'bash', '-c', catScript(tag)], { env: work.env, cwd: work.dir, stdio: 'ignore' });
  try {
    await waitFor('the relay server to listen', () => fs.existsSync(socket), 10_000, 10);
    const client = new PtyClient(process.execPath, [RELAY, 'client', socket], { env: work.env, cwd: work.dir });
    try {
      await client.expect(`BENCH-READY-${tag}`, 10_000);
      return await typeKeys(client, keys);
    } finally {
      await client.close();
    }
  } finally {
    server.kill('SIGKILL');
  }
}

async function block(work, mux, keys) {
  const tag = `lat${++blocks}`;
  if (mux === NODE_RELAY) return relayBlock(work, tag, keys);
  if (!mux) {
    const client = new PtyClient('bash', ['-c', catScript(tag)], { env: work.env, cwd: work.dir });
    try {
      await client.expect(`BENCH-READY-${tag}`, 10_000);
      return await typeKeys(client, keys);
    } finally {
      await client.close();
    }
  }
  mux.newSession(tag, ['bash', '-c', catScript(tag)]);
  const [file, args] = mux.attachArgs(tag);
  const client = new PtyClient(file, args, { env: mux.env, cwd: work.dir });
  try {
    await client.expect(`BENCH-READY-${tag}`, 10_000);
    return await typeKeys(client, keys);
  } finally {
    await client.close();
    await mux.removeSession(tag);
  }
}

/** `keys` measured keys per candidate, typed in `blocks` interleaved blocks (a fresh session and client each). */
export async function latency({ work, muxes, keys, blocks: blockCount, log }) {
  const candidates = [
    ...muxes.map((mux) => ({ name: mux.label, mux })),
    { name: 'no multiplexer', mux: undefined },
    { name: NODE_RELAY.label, mux: NODE_RELAY },
  ];
  const samples = Object.fromEntries(candidates.map((c) => [c.name, []]));
  const perBlock = Math.ceil(keys / blockCount);
  for (let round = 0; round < blockCount; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(round + i) % candidates.length];
      samples[c.name].push(...(await block(work, c.mux, perBlock)));
    }
    log(`latency block ${round + 1}/${blockCount}: ${candidates.map((c) => `${c.name} p50 ${median(samples[c.name]).toFixed(0)} µs`).join(', ')}`);
  }
  const summary = {};
  for (const [name, values] of Object.entries(samples)) {
    summary[name] = { keys: values.length, p50: quantile(values, 0.5), p90: quantile(values, 0.9), p99: quantile(values, 0.99), max: quantile(values, 1) };
  }
  return { gapMs: GAP_MS, candidates: summary };
}
