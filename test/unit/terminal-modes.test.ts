// TerminalModes: whatever a session turns on in the user's terminal, restoreSequence() turns off again.
//
// The user's terminal is a Screen (a headless xterm that also follows kitty keyboard flags) that
// first got the user's own state; after the session's output and the restore it must be in exactly
// the state it was in before.
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalModes } from '../../src/client/terminal-modes';
import { Screen } from '../../src/mirror/screen';
import { state, written } from '../helpers/terminal-state';

/** The user's shell pushed its own kitty keyboard flags before running ccmux (fish does). */
const USER_STATE = '\x1b[>1u';
const BASELINE = '\x1b[0m\x1b(B\x1b)B\x0f\x1b[?25h';
const screens: Screen[] = [];

afterEach(() => {
  for (const screen of screens.splice(0)) screen.dispose();
});

async function userTerminal(userState: string): Promise<Screen> {
  const screen = new Screen(40, 12, 100);
  screens.push(screen);
  await written(screen.terminal, userState);
  return screen;
}

/** The parts of a terminal's state that a session can change and a restore must put back. */
async function modeState(screen: Screen) {
  await written(screen.terminal);
  const { cursor: _cursor, tabs: _tabs, savedCursor: _saved, normalSavedCursor: _normalSaved, ...rest } = state(screen.terminal);
  return { ...rest, keyboard: screen.keyboardFlags };
}

/** Feeds the chunks to a TerminalModes and the user's terminal, then its restore; returns both. */
async function session(chunks: string[], userState: string): Promise<{ modes: TerminalModes; after: Awaited<ReturnType<typeof modeState>> }> {
  const modes = new TerminalModes();
  const terminal = await userTerminal(userState);
  for (const chunk of chunks) {
    modes.observe(Buffer.from(chunk, 'latin1'));
    await written(terminal.terminal, Buffer.from(chunk, 'latin1'));
  }
  await written(terminal.terminal, modes.restoreSequence());
  return { modes, after: await modeState(terminal) };
}

async function expectRestored(chunks: string[], userState = USER_STATE): Promise<TerminalModes> {
  const before = await modeState(await userTerminal(userState));
  const { modes, after } = await session(chunks, userState);
  expect(after, JSON.stringify(chunks.join(''))).toEqual(before);
  return modes;
}

/** Everything a full-screen program may switch on, in one stream. */
const EVERYTHING = [
  '\x1b[?1049h\x1b[H\x1b[2Jhello',
  '\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1006h',
  '\x1b[?2004h\x1b[?1h\x1b=\x1b[?1004h',
  '\x1b[>1u\x1b[>1u',
  '\x1b[>4;2m\x1b[4 q\x1b[?25l\x1b[?7l\x1b[3;9r\x1b[?6h',
  '\x1b[4h\x1b[20h\x1b[?45h\x1b[?12h\x1b[?2026h',
  '\x1b[1;31;44m\x1b(0\x1b)0\x0e',
];
const STREAM = EVERYTHING.join('');

describe('TerminalModes', () => {
  it('restores nothing but SGR, charset and cursor for plain output', async () => {
    const modes = await expectRestored(['plain text\r\n\x1b[31mred\x1b[0m \x1b[Kdone']);
    expect(modes.restoreSequence()).toBe(BASELINE);
  });

  it.each([
    ['mouse 1000', '\x1b[?1000h'],
    ['mouse 1002 with SGR encoding', '\x1b[?1002h\x1b[?1006h'],
    ['mouse 1003 with SGR-pixels encoding', '\x1b[?1003h\x1b[?1016h'],
    ['bracketed paste', '\x1b[?2004h'],
    ['application cursor keys', '\x1b[?1h'],
    ['application keypad (DECKPAM)', '\x1b='],
    ['application keypad (DECNKM)', '\x1b[?66h'],
    ['focus events', '\x1b[?1004h'],
    ['alternate screen 1049', '\x1b[?1049hfull screen'],
    ['alternate screen 1047', '\x1b[?1047hfull screen'],
    ['alternate screen 47', '\x1b[?47hfull screen'],
    ['cursor style', '\x1b[4 q'],
    ['hidden cursor', '\x1b[?25l'],
    ['autowrap off', '\x1b[?7l'],
    ['scroll region', '\x1b[3;8r'],
    ['origin mode', '\x1b[?6h'],
    ['insert mode', '\x1b[4h'],
    ['new-line mode', '\x1b[20h'],
    ['reverse wraparound', '\x1b[?45h'],
    ['blinking cursor', '\x1b[?12h'],
    ['synchronized output', '\x1b[?2026h'],
    ['several modes in one sequence', '\x1b[?1000;1006;2004h'],
    ['SGR and DEC graphics', '\x1b[1;4;38;2;1;2;3m\x1b(0\x1b)0\x0e'],
    ['kitty keyboard pushes', '\x1b[>1u\x1b[>3u'],
  ])('undoes %s', async (_name, stream) => {
    await expectRestored([stream]);
  });

  it('undoes everything a full-screen program switches on at once', async () => {
    const modes = await expectRestored(EVERYTHING);
    expect(modes.restoreSequence()).toContain('\x1b[<2u');
    expect(modes.restoreSequence()).toContain('\x1b[>4m');
  });

  it('pops kitty flags on the screen they were pushed on, leaving the user’s own', async () => {
    await expectRestored(['\x1b[>1u\x1b[?1049h\x1b[>3u\x1b[>5u']);
    await expectRestored(['\x1b[?1049h\x1b[>3u\x1b[?1049l\x1b[>2u']);
    await expectRestored(['\x1b[>1u\x1b[>2u\x1b[<u']);
    await expectRestored(['\x1b[?1049h\x1b[>2u\x1b[?1049l']);
    const pushed = new TerminalModes();
    pushed.observe(Buffer.from('\x1b[>1u\x1b[>1u'));
    expect(pushed.restoreSequence()).toContain('\x1b[<2u');
  });

  it('resets kitty flags a program set without pushing (what the user had is unknown; usually none)', async () => {
    const { modes, after } = await session(['\x1b[=5;1u\x1b[?1049h\x1b[=3;1u'], '');
    expect(modes.restoreSequence()).toContain('\x1b[=0;1u');
    expect(after.keyboard).toEqual({ normal: [0], alternate: [0] });
  });

  it('undoes and forgets modifyOtherKeys', () => {
    const modes = new TerminalModes();
    modes.observe(Buffer.from('\x1b[>4;2m'));
    expect(modes.restoreSequence()).toContain('\x1b[>4m');
    modes.observe(Buffer.from('\x1b[>4;0m'));
    expect(modes.restoreSequence()).toBe(BASELINE);
    modes.observe(Buffer.from('\x1b[>4;1m\x1b[>4m'));
    expect(modes.restoreSequence()).toBe(BASELINE);
  });

  it('forgets modes the program turned off again', () => {
    const modes = new TerminalModes();
    modes.observe(Buffer.from('\x1b[?1000h\x1b[?2004h\x1b[?1049h\x1b=\x1b[?25l\x1b[4h\x1b[>1u'));
    modes.observe(Buffer.from('\x1b[?1000l\x1b[?2004l\x1b[<1u\x1b[?1049l\x1b>\x1b[?25h\x1b[4l'));
    expect(modes.restoreSequence()).toBe(BASELINE);
  });

  it('gives the same restore however the stream is split, at every position', async () => {
    const whole = new TerminalModes();
    whole.observe(Buffer.from(STREAM, 'latin1'));
    const expected = whole.restoreSequence();
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const split = new TerminalModes();
      split.observe(Buffer.from(STREAM.slice(0, cut), 'latin1'));
      split.observe(Buffer.from(STREAM.slice(cut), 'latin1'));
      expect(split.restoreSequence(), `split at ${cut}`).toBe(expected);
    }
    const bytewise = new TerminalModes();
    for (const byte of Buffer.from(STREAM, 'latin1')) bytewise.observe(Buffer.from([byte]));
    expect(bytewise.restoreSequence()).toBe(expected);
  });

  it('restores the user terminal however the stream is split', async () => {
    for (let cut = 1; cut < STREAM.length; cut += 7) await expectRestored([STREAM.slice(0, cut), STREAM.slice(cut)]);
  });

  it('forgets everything after RIS, which resets the terminal itself', async () => {
    // RIS also drops the user's own keyboard flags, which nothing can bring back; and xterm.js
    // keeps new-line mode and the blinking cursor across it (they are options there).
    const stream = STREAM.replace('\x1b[20h', '').replace('\x1b[?12h', '');
    const modes = await expectRestored([stream, '\x1bc', 'fresh'], '');
    expect(modes.restoreSequence()).toBe(BASELINE);
  });

  it('after DECSTR forgets only what a soft reset resets, so mouse, paste and the screen are still undone', async () => {
    const modes = await expectRestored([STREAM, '\x1b[!p']);
    const restore = modes.restoreSequence();
    expect(restore).toContain('\x1b[?1049l');
    expect(restore).toContain('\x1b[?1000l');
    expect(restore).toContain('\x1b[?2004l');
    expect(restore).not.toContain('\x1b[?1l');
    expect(restore).not.toContain('\x1b>');
  });

  it('undoes what a repaint switched on, as attach observes it', async () => {
    const program = new Screen(40, 12, 100);
    screens.push(program);
    await written(program.terminal, STREAM);
    // A repaint empties the keyboard flag stacks (a program must not get keys it did not ask for).
    await expectRestored([program.repaint(), 'more output'], '');
  });

  it('ignores sequences it does not track and survives long or broken ones', async () => {
    const modes = await expectRestored([
      '\x1b]0;title with \x1b[?1000h inside\x07',
      `\x1b[${'1;'.repeat(100)}m`,
      '\x1b[\x1b[?2004h',
      '\x1b(B\x1bM\x1b7\x1b8\x1b[5n\x1b[?u\x1b[c',
      '\x1b',
    ]);
    expect(modes.restoreSequence()).toContain('\x1b[?2004l');
  });
});
