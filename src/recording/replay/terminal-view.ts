// The user's terminal as the replay player's output: replayed bytes, exact repaints, the paused
// status line, title notes, and putting every mode the replayed bytes switched on back at the end.
import { TerminalModes } from '../../client/terminal-modes';
import type { ReplayOutput, ScreenAt } from './player';
import { terminalSize } from '../../client/terminal-size';

/** Synchronized output (DEC 2026): terminals that know it show a repaint in one frame; others ignore it. */
const SYNC_BEGIN = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';
/** A recording's first screen: the program started on an empty terminal with the cursor at home. */
const CLEAR = '\x1b[H\x1b[2J';
/** Save and restore the window title (XTWINOPS 22/23): replayed programs and our notes set it. */
const PUSH_TITLE = '\x1b[22;0t';
const POP_TITLE = '\x1b[23;0t';

export class TerminalView implements ReplayOutput {
  private modes = new TerminalModes();

  constructor(private readonly out: NodeJS.WriteStream) {}

  /**
   * Scrolls what the terminal shows (the command, a size warning) into its scrollback rather than
   * letting the first screen erase it: `rows` newlines from the cursor scroll out exactly the lines in use.
   */
  begin(): void {
    this.out.write(PUSH_TITLE + '\r\n'.repeat(terminalSize(this.out).rows));
  }

  write(data: Buffer): void {
    this.modes.observe(data);
    this.out.write(data);
  }

  repaint(at: ScreenAt): void {
    // Undo every mode switched on so far (a seek back may land before the program set them), then draw.
    const prefix = SYNC_BEGIN + this.modes.restoreSequence();
    this.modes = new TerminalModes();
    const screen = Buffer.from(at.screen ?? CLEAR, 'utf8');
    this.modes.observe(screen);
    this.modes.observe(at.catchUp);
    this.out.write(prefix);
    this.out.write(screen);
    this.out.write(at.catchUp);
    this.out.write(SYNC_END);
  }

  /**
   * The status line, on the terminal's last row in reverse video, with the cursor, attributes and origin
   * mode saved around it (DECSC/DECRC). Drawn over the replayed screen only while paused: the player
   * repaints the screen before it plays on, so no trace of it stays.
   */
  status(text: string): void {
    const width = Math.max(1, terminalSize(this.out).cols - 1);
    const line = [...text].slice(0, width).join('').padEnd(width);
    this.out.write(`\x1b7\x1b[?6l\x1b[${terminalSize(this.out).rows};1H\x1b[0;7m${line}\x1b[0m\x1b8`);
  }

  /** A note while playing goes to the window title: the screen belongs to the recording. */
  title(text: string): void {
    this.out.write(`\x1b]2;${text.replace(/[\x00-\x1f\x7f]/g, ' ')}\x07`);
  }

  /** Switches off what the replayed bytes switched on, gives the title back, and prints `message`. */
  end(message: string): void {
    this.out.write(`${this.modes.restoreSequence()}${POP_TITLE}\r\n${message}\r\n`);
  }
}
