// Messages between the daemon's main thread and the screen-mirror worker thread.
import type { ScreenText } from './screen';

export type SignalKind = 'osc7501' | 'osc9' | 'osc777' | 'osc99' | 'progress';

export type MirrorRequest =
  | { op: 'create'; id: string; cols: number; rows: number; scrollback: number; offset: number }
  /** One batch of output: `data` holds consecutive PTY reads, with their times (ms since start) and lengths. */
  | { op: 'write'; id: string; data: Uint8Array; times: number[]; lengths: number[] }
  /**
   * Output [from, to) read back from the recording (a mirror that fell behind): encoded output records
   * (record-format.ts), which may start before `from` and end after `to`; output no record holds is skipped.
   */
  | { op: 'records'; id: string; from: number; to: number; records: Uint8Array[] }
  | { op: 'resize'; id: string; cols: number; rows: number }
  | { op: 'repaint'; id: string; req: number; scrollback: number }
  | { op: 'text'; id: string; req: number; ansi: boolean; scrollback: number }
  /** The last `lines` lines of output the screen and scrollback hold (`ccmux tail`). */
  | { op: 'tail'; id: string; req: number; lines: number }
  /** Emit pending text-index lines now (exit, shutdown). */
  | { op: 'flush'; id: string; req: number }
  | { op: 'dispose'; id: string };

export type MirrorReply =
  /** Bytes parsed (or skipped as unable to change the screen); batch buffers come back for reuse. */
  | { op: 'parsed'; id: string; bytes: number; buffers: ArrayBuffer[] }
  | { op: 'repaint'; req: number; data: string; altScreen: boolean }
  | { op: 'text'; req: number; screen: ScreenText }
  | { op: 'tail'; req: number; lines: string[]; partial: string; cursor: number }
  | { op: 'flushed'; req: number }
  /** The terminal's answer to a query the program sent (DA, DSR, …). */
  | { op: 'answer'; id: string; data: string }
  | { op: 'title'; id: string; title: string }
  | { op: 'bell'; id: string; time: number }
  /** An in-band signal: OSC 7501 (Claude Code status), OSC 9 / 777 / 99 notifications, OSC 9;4 progress. */
  | { op: 'signal'; id: string; time: number; kind: SignalKind; data: string }
  /** An encoded text-index block (record-format.ts) starting at output offset `offset`. */
  | { op: 'lines'; id: string; offset: number; block: Uint8Array }
  /** An encoded keyframe for output offset `offset`. */
  | { op: 'keyframe'; id: string; offset: number; block: Uint8Array }
  | { op: 'failed'; req: number; message: string };
