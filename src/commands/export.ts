// `ccmux export`: a session's recording as asciicast v3/v2, a JSONL timeline, text or the raw bytes,
// read from the store directly (works for running, ended and lost sessions, with or without a daemon).
import { CcmuxError, EXIT } from '../errors';
import { EXPORT_FORMATS, exportRecording, type ExportFormat } from '../recording/export';
import { findRecording, openRecordings } from '../recording/recordings';
import type { CommandSpec } from './command';
import { stringOption } from './options';
import { atomicFileSink, stdoutSink } from './output-sink';
import { progressReporter } from './progress';

function formatOption(value: string | undefined): ExportFormat {
  if (value === undefined) return 'cast';
  if ((EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new CcmuxError('usage', `--format expects one of ${EXPORT_FORMATS.join(', ')}, got "${value}"`);
}

export const exportCommand: CommandSpec = {
  name: 'export',
  args: '<name>',
  summary: "write a session's recording as asciicast, JSONL, text or raw bytes",
  group: 'Recordings',
  examples: [
    'ccmux export build -o build.cast            # asciicast v3: asciinema play build.cast',
    'ccmux export build --format cast-v2 -o build.cast',
    'ccmux export build --format txt | grep -n error',
    'ccmux export build --format raw > build.out  # exactly the bytes the program wrote',
    'ccmux export build --format jsonl | jq -c "select(.type == \\"marker\\")"',
  ],
  values: { format: EXPORT_FORMATS },
  options: [
    { flags: '-f, --format <format>', description: 'cast (asciicast v3, default) | cast-v2 | jsonl (timeline) | txt (rendered lines) | raw (bytes)' },
    { flags: '-o, --output <file>', description: 'write to FILE (atomically, mode 0600) instead of stdout' },
  ],
  async run(context) {
    const format = formatOption(stringOption(context, 'format'));
    const file = stringOption(context, 'output');
    const store = openRecordings(context.paths);
    try {
      const meta = findRecording(store, context.args[0]!);
      if (meta.trimmedBytes > 0) {
        process.stderr.write(`ccmux: retention dropped the first ${meta.trimmedBytes} bytes of ${meta.name}'s output; the export starts after them\n`);
      }
      const sink = file === undefined ? stdoutSink() : atomicFileSink(file);
      const progress = progressReporter(`exporting ${meta.name}`, meta.outputBytes - meta.trimmedBytes);
      try {
        for (const piece of exportRecording(store, meta, format, (offset) => progress.update(offset - meta.trimmedBytes))) {
          if (!(await sink.write(piece))) break;
        }
        await sink.close();
      } catch (error) {
        sink.abort();
        throw error;
      } finally {
        progress.done();
      }
    } finally {
      await store.close();
    }
    return EXIT.ok;
  },
};
