// Messages between the daemon's main thread and the screen-mirror worker thread.
import type { ScreenText } from './screen';

export type MirrorRequest =
  | { op: 'create'; id: string; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: string; data: Uint8Array }
  | { op: 'resize'; id: string; cols: number; rows: number }
  | { op: 'repaint'; id: string; req: number; scrollback: number }
  | { op: 'text'; id: string; req: number; ansi: boolean; scrollback: number }
  | { op: 'dispose'; id: string };

export type MirrorReply =
  | { op: 'parsed'; id: string; bytes: number }
  | { op: 'repaint'; req: number; data: string; altScreen: boolean }
  | { op: 'text'; req: number; screen: ScreenText }
  /** The terminal's answer to a query the program sent (DA, DSR, …). */
  | { op: 'answer'; id: string; data: string }
  | { op: 'title'; id: string; title: string }
  | { op: 'failed'; req: number; message: string };
