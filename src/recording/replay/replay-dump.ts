// `ccmux replay` when stdout is not a terminal: the recorded bytes from --from to --to, without timing.
import type { RecordingSource } from './recording-source';

export interface DumpOptions {
  from?: number | undefined;
  to?: number | undefined;
}

/**
 * Writes the output recorded between `from` and `to`. From a later start it first writes the screen at
 * that point (keyframe + output since), so that the bytes still draw what was on screen.
 */
export async function dumpRecording(source: RecordingSource, options: DumpOptions, out: NodeJS.WritableStream): Promise<void> {
  const start = options.from ? source.timeToOffset(options.from) : source.firstOffset;
  const end = options.to === undefined ? source.endOffset : source.timeToOffset(options.to);
  let failed = false;
  // A reader that went away (`| head`) ends the dump quietly; the listener stays for writes still in flight.
  out.on('error', () => (failed = true));
  const write = async (data: Buffer | string) => {
    if (!out.write(data)) await new Promise((resolve) => (out.once('drain', resolve), out.once('error', resolve)));
  };
  if (options.from) {
    const at = source.screenAt(start);
    if (at.screen) await write(at.screen);
    await write(at.catchUp);
  }
  for (const data of source.bytes(start, end)) {
    if (failed) return;
    await write(data);
  }
}
