// Realistic terminal output for benchmarks and tests: coloured logs, UTF-8 with wide characters,
// long wrapped lines, stack traces and JSON — deterministic for a given seed.

const LEVELS = [
  ['\x1b[32mINFO\x1b[0m ', 60],
  ['\x1b[33mWARN\x1b[0m ', 10],
  ['\x1b[31;1mERROR\x1b[0m', 4],
  ['\x1b[2mDEBUG\x1b[0m', 26],
];
const WORDS = ('request handled user session cache miss hit retry upstream timeout connection pool worker queue ' +
  'build compile test passed failed module import export render component state update fetch response payload ' +
  'database query index commit rollback transaction lock acquired released scheduler tick metrics flush').split(' ');
const WIDE = ['日本語', '中文字符', '한국어', '数据库', '缓存', 'テスト', '✅', '🚀', '⚠️', 'café', 'naïve', 'Straße'];
const PATHS = ['src/server/session.ts', 'lib/core/index.js', 'app/models/user.rb', 'pkg/api/handler.go', 'tests/test_api.py'];

/** Small deterministic PRNG (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* logLines(seed = 1) {
  const rand = random(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const level = () => {
    let roll = rand() * 100;
    for (const [text, weight] of LEVELS) if ((roll -= weight) < 0) return text;
    return LEVELS[0][0];
  };
  let time = Date.UTC(2026, 0, 1);
  for (let n = 0; ; n++) {
    time += Math.floor(rand() * 50);
    const stamp = `\x1b[90m${new Date(time).toISOString()}\x1b[0m`;
    const kind = rand();
    if (kind < 0.7) {
      const words = Array.from({ length: 4 + Math.floor(rand() * 12) }, () => (rand() < 0.08 ? pick(WIDE) : pick(WORDS)));
      yield `${stamp} ${level()} [\x1b[36m${pick(PATHS)}:${1 + Math.floor(rand() * 900)}\x1b[0m] ${words.join(' ')} id=${Math.floor(rand() * 1e6)} took=${(rand() * 900).toFixed(1)}ms\r\n`;
    } else if (kind < 0.8) {
      const fields = Array.from({ length: 3 + Math.floor(rand() * 8) }, (_, i) => `"${pick(WORDS)}${i}":${rand() < 0.5 ? Math.floor(rand() * 1e4) : `"${pick(WORDS)} ${pick(WIDE)}"`}`);
      yield `${stamp} ${level()} payload={${fields.join(',')}}\r\n`;
    } else if (kind < 0.87) {
      yield `${stamp} \x1b[31;1mERROR\x1b[0m unhandled ${pick(WORDS)} error: ${pick(WORDS)} ${pick(WORDS)}\r\n` +
        Array.from({ length: 3 + Math.floor(rand() * 6) }, () => `    at ${pick(WORDS)}${pick(['Handler', 'Service', 'Loop'])} (${pick(PATHS)}:${Math.floor(rand() * 500)}:${Math.floor(rand() * 80)})\r\n`).join('');
    } else if (kind < 0.95) {
      // A long line that wraps several times on an 80-column terminal.
      yield `${stamp} ${level()} ${Array.from({ length: 40 + Math.floor(rand() * 60) }, () => pick(WORDS)).join(' ')}\r\n`;
    } else {
      yield `\x1b[1m==> ${pick(WORDS)} ${pick(WORDS)} (${n})\x1b[0m ${pick(WIDE)}\r\n`;
    }
  }
}

/** `bytes` of realistic log output as one Buffer. */
export function logPayload(bytes, seed = 1) {
  const parts = [];
  let size = 0;
  for (const line of logLines(seed)) {
    const buffer = Buffer.from(line, 'utf8');
    parts.push(buffer);
    size += buffer.length;
    if (size >= bytes) break;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/**
 * An agent-TUI-like stream: a full-screen app on the alternate screen that redraws a status line
 * with a spinner many times a second and appends conversation text, with cursor addressing.
 */
export function tuiPayload(bytes, seed = 2) {
  const rand = random(seed);
  const spinner = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
  const parts = [Buffer.from('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J')];
  let size = 0;
  let line = 1;
  for (let frame = 0; size < bytes; frame++) {
    let out = `\x1b]0;${spinner[frame % 10]} Claude Code\x07\x1b[24;1H\x1b[2K\x1b[38;5;208m${spinner[frame % 10]}\x1b[0m Thinking… (${(frame / 10).toFixed(1)}s · esc to interrupt)`;
    if (rand() < 0.2) {
      out += `\x1b[${line};1H\x1b[2K\x1b[1m●\x1b[0m ${Array.from({ length: 6 + Math.floor(rand() * 10) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')}`;
      line = line >= 20 ? 1 : line + 1;
    }
    const buffer = Buffer.from(out, 'utf8');
    parts.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}
