// The last screen of a session known only from its recording: its last keyframe plus the output after
// it, replayed into a scratch terminal in the mirror worker.
import { randomBytes } from 'node:crypto';
import type { MirrorEvents, MirrorHost, RecordedOutput } from '../mirror/mirror-host';
import type { ScreenText } from '../mirror/screen';
import type { Store, StoredSession } from '../store/store';
import { keyframeAtOrBefore, outputChunks } from './timeline';

const IGNORE: MirrorEvents = { answer() {}, title() {}, bell() {}, signal() {}, parsed() {}, lines() {}, keyframe() {} };
/** A scratch mirror is fed everything from memory and never falls behind: it needs no recording. */
const UNRECORDED: RecordedOutput = { offset: 0, durableOffset: 0, seal() {}, storedOutput: () => [] };

export async function storedScreen(
  store: Store,
  mirrors: MirrorHost,
  meta: StoredSession,
  options: { ansi: boolean; scrollback: number },
): Promise<ScreenText> {
  const keyframe = keyframeAtOrBefore(store, meta.id, meta.outputBytes);
  const size = keyframe ? { cols: keyframe.cols, rows: keyframe.rows } : { cols: meta.cols, rows: meta.rows };
  const scratch = mirrors.open(`scratch-${randomBytes(6).toString('hex')}`, size, Math.max(options.scrollback, 100), UNRECORDED, IGNORE);
  try {
    if (keyframe) scratch.write(Buffer.from(keyframe.screen, 'utf8'), keyframe.time);
    for (const chunk of outputChunks(store, meta.id, keyframe?.offset ?? 0)) scratch.write(chunk.data, chunk.time);
    return await scratch.text(options);
  } finally {
    scratch.dispose();
  }
}
