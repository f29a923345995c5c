// The results table (markdown): ccmux next to tmux, their ratio, and each goal of issue 7 met or missed.
const MiB = 1024 * 1024;

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : '—');
const us = (value) => (Number.isFinite(value) ? `${Math.round(value)} µs` : '—');
const mib = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)} MiB` : '—');
const times = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
const met = (ok) => (ok === undefined ? '' : ok ? '✅ met' : '❌ missed');
const medianOf = (samples, pick) => {
  const values = samples.map(pick).filter(Number.isFinite).sort((a, b) => a - b);
  return values.length ? values[Math.floor(values.length / 2)] : NaN;
};

/** ccmux's CPU per MiB by thread (median over runs): the mirror worker, main thread, libuv pool, V8's helpers. */
function threads(cases, bytes) {
  const names = { WorkerThread: 'workers', MainThread: 'main', 'libuv-worker': 'libuv pool', V8Worker: 'V8 helpers' };
  const parts = Object.entries(names).map(([thread, label]) => `${label} ${fixed(medianOf(cases.samples, (s) => (s.serverThreadsMs?.[thread] ?? NaN) / (bytes / MiB)), 0)}`);
  return `ccmux by thread: ${parts.join(', ')}`;
}

export function formatTable(results) {
  const rows = [];
  const row = (metric, ccmux, tmux, ratio, goal = '', ok = undefined, note = '') => rows.push([metric, ccmux, tmux, ratio, goal, met(ok), note]);

  const tp = results.throughput;
  if (tp) {
    for (const [mode, goal] of [['attached', 1.5], ['detached', 2]]) {
      const c = tp.cases[`ccmux ${mode}`];
      const t = tp.cases[`tmux ${mode}`];
      const ratio = c.mibps / t.mibps;
      const resyncs = mode === 'attached' ? c.samples.reduce((sum, s) => sum + (s.resyncs ?? 0), 0) : 0;
      row(`throughput ${mode}, ${tp.mib} MiB of logs (MiB/s)`, fixed(c.mibps), fixed(t.mibps), times(ratio), `≥ ${goal}× tmux`, ratio >= goal, resyncs ? `ccmux client dropped behind and was repainted ${resyncs}× in ${c.samples.length} runs` : '');
      const cpu = (cases) => medianOf(cases.samples, (s) => (s.serverCpuMsSettled ?? s.serverCpuMs) / (tp.bytes / MiB));
      row(`  server CPU per MiB, ${mode} (ms)`, fixed(cpu(c)), fixed(cpu(t)), times(cpu(c) / cpu(t)), '', undefined, `${threads(c, tp.bytes)}; tmux: one thread`);
    }
  }

  const lat = results.latency;
  if (lat) {
    const c = lat.candidates.ccmux;
    const t = lat.candidates.tmux;
    const floor = lat.candidates['no multiplexer'];
    const relay = lat.candidates['node relay'];
    for (const q of ['p50', 'p90', 'p99']) {
      const goal = q === 'p99' ? ['≤ tmux', c[q] <= t[q]] : ['', undefined];
      const notes = [`floor, no multiplexer: ${us(floor[q])}`, ...(relay ? [`bare two-process Node relay: ${us(relay[q])}`] : [])];
      row(`echo latency ${q} (${c.keys} keys)`, us(c[q]), us(t[q]), times(c[q] / t[q]), ...goal, notes.join('; '));
    }
  }

  const st = results.startup;
  if (st) {
    const c = st.candidates;
    const hello = st.helloMedian;
    const line = (metric, ccmuxName, tmuxName, goal) => {
      const a = c[ccmuxName];
      const b = tmuxName ? c[tmuxName] : undefined;
      const ok = goal ? a.median / hello <= goal : undefined;
      // The fastest samples show the command on a quiet moment of a busy machine.
      const fastest = Math.min(...a.samples) / Math.min(...c['hello-world (pkg SEA)'].samples);
      row(metric, ms(a.median), b ? ms(b.median) : '—', b ? times(a.median / b.median) : '', goal ? `≤ ${goal}× hello-world` : '', ok, `${times(a.vsHello)} hello-world (fastest runs: ${times(fastest)})`);
    };
    row('hello-world, packaged like ccmux (pkg SEA)', ms(hello), '', '', '', undefined, `node -e 0: ${ms(c['node -e 0 (embedded Node)'].median)}`);
    line('`ls`', 'ccmux ls', 'tmux ls', 1.25);
    const long = Object.keys(c).find((name) => name.startsWith('ccmux attach, '));
    line(`attach until the screen is shown (${long.slice('ccmux attach, '.length)})`, long, `tmux attach, ${long.slice('ccmux attach, '.length)}`, 1.25);
    line('attach until the screen is shown (1 line)', 'ccmux attach', 'tmux attach');
    line('`new -d`, daemon running', 'ccmux new -d', 'tmux new -d');
    line('`new -d`, no daemon', 'ccmux new -d, no daemon', 'tmux new -d, no server');
  }

  const mem = results.memory;
  if (mem) {
    const c = mem.multiplexers.ccmux;
    const t = mem.multiplexers.tmux;
    for (const count of mem.counts) row(`PSS, ${count} idle session${count > 1 ? 's' : ''}`, mib(c.idle[count]), mib(t?.idle[count]), times(c.idle[count] / t?.idle[count]));
    const first = mem.counts[0];
    const last = mem.counts[mem.counts.length - 1];
    row(`PSS per extra idle session (${first} → ${last})`, mib(c.perIdleSession), mib(t?.perIdleSession), '', '≤ 1 MiB', c.perIdleSession <= MiB);
    row(`PSS, ${mem.longSessions} sessions × ${mem.lines} lines`, mib(c.longSessions), mib(t?.longSessions), times(c.longSessions / t?.longSessions), '', undefined, 'tmux with history-limit ≥ the lines');
    row(`PSS per session holding ${mem.lines} lines (over idle)`, mib(c.perLongSession), mib(t?.perLongSession), times(c.perLongSession / t?.perLongSession), '≤ tmux', c.perLongSession <= t?.perLongSession);
  }

  const rec = results.recording;
  if (rec) {
    const kib = (perMiB) => `${Math.round(perMiB / 1024)} KiB`;
    const parts = (storage) => Object.entries(storage.breakdownPerMiB).map(([name, { bytes }]) => `${name} ${kib(bytes)}`).join(', ');
    row('stored per MiB of output, logs', `${kib(rec.logs.storedPerMiB)} (${fixed(rec.logs.ratio, 3)})`, '—', '', '≤ 0.25 × raw', rec.logs.ratio <= 0.25, parts(rec.logs));
    const tuiAll = Object.values(rec.tui.breakdownPerMiB).reduce((sum, { bytes }) => sum + bytes, 0);
    row('stored per MiB of output, agent-TUI redraws', `${kib(rec.tui.storedPerMiB)} (${fixed(rec.tui.ratio, 3)})`, '—', '', '', undefined, `${parts(rec.tui)}; with events ${kib(tuiAll)} (${fixed(tuiAll / MiB, 3)})`);
    const gib = (rec.big.outputBytes / 1024 ** 3).toFixed(2);
    for (const [label, search] of Object.entries(rec.search)) {
      row(`search over ${gib} GiB (${label}), end to end`, ms(search.median), '—', '', label === 'no match' ? '≤ 1 s' : '', label === 'no match' ? search.median <= 1000 : undefined, `ccmux search -s big '${search.pattern}'`);
    }
    const r = rec.replay;
    row(`seek in ${gib} GiB: replay --from T until the screen`, `${ms(r.seek.median)} (max ${ms(r.seek.max)})`, '—', '', '≤ 100 ms', r.seek.median <= 100, `${r.seek.samples.length} random T; includes process start and store open (replay start: ${ms(r.start.screenMs)})`);
    row('replay start: first screen drawn', ms(r.start.screenMs), '—', '', '', undefined, `first byte ${ms(r.start.firstByteMs)}`);
    row(`recording ${gib} GiB detached (MiB/s)`, fixed(rec.big.mibps), '—', '', '', undefined, 'from `new` until the exit is committed');
  }

  const header = ['metric', 'ccmux', 'tmux', 'ccmux ÷ tmux', 'goal', '', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

/** ccmux's CPU per MiB of output by stage of its output path (bench/components.mjs), logs and agent TUI. */
export function formatComponents({ log, tui }) {
  const rows = Object.keys(log.cpuMsPerMiB).map((stage) => [stage, fixed(log.cpuMsPerMiB[stage]), fixed(tui.cpuMsPerMiB[stage])]);
  const header = ['ccmux stage (one thread)', 'CPU ms per MiB, logs', 'agent TUI'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}
