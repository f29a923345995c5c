// Formatting for people: tables that fit the terminal, colour only where it belongs, short durations and sizes.
import { describe, expect, it } from 'vitest';
import { fitTable, formatBytes, shortDuration, type Column } from '../../src/commands/format';
import { colorsFor, makeColors, stripColor } from '../../src/util/color';

const plain = makeColors(false);
const COLUMNS: Column[] = [{ title: 'NAME' }, { title: 'ID', drop: 2 }, { title: 'STATE' }, { title: 'PID', drop: 1 }, { title: 'COMMAND', drop: 3, minWidth: 8 }];
const ROWS = [['build', 'abc123', 'running', '4242', 'make -j8 all install-everything']];

describe('fitTable', () => {
  it('shows every column when there is room, the last one unpadded', () => {
    expect(fitTable(COLUMNS, ROWS, 200, plain)).toBe(
      ['NAME   ID      STATE    PID   COMMAND', 'build  abc123  running  4242  make -j8 all install-everything'].join('\n'),
    );
  });

  it('drops the least important columns first, then cuts the long one, then drops it', () => {
    const sizes = [56, 50, 40, 20];
    const widths = sizes.map((width) => fitTable(COLUMNS, ROWS, width, plain).split('\n'));
    expect(widths[0]).toEqual(['NAME   ID      STATE    COMMAND', 'build  abc123  running  make -j8 all install-everything']);
    expect(widths[1]).toEqual(['NAME   STATE    COMMAND', 'build  running  make -j8 all install-everything']);
    expect(widths[2]).toEqual(['NAME   STATE    COMMAND', 'build  running  make -j8 all install-ev…']);
    expect(widths[3]).toEqual(['NAME   STATE', 'build  running']);
    for (const [index, width] of sizes.entries()) for (const line of widths[index]!) expect(line.length).toBeLessThanOrEqual(width);
  });

  it('pads by the text, not the colour codes, and colours the header bold', () => {
    const table = fitTable(COLUMNS, [[{ text: 'build', styles: ['bold'] }, 'abc123', { text: 'running', styles: ['green'] }, '1', 'x']], 200, makeColors(true));
    expect(table).toContain('\x1b[32mrunning\x1b[39m  ');
    expect(table.split('\n')[0]).toMatch(/^\x1b\[1mNAME\x1b\[22m/);
    expect(stripColor(table)).toBe(fitTable(COLUMNS, [['build', 'abc123', 'running', '1', 'x']], 200, plain));
  });
});

describe('colour', () => {
  it('is on only for a terminal without NO_COLOR', () => {
    expect(colorsFor({ isTTY: true }, {}).enabled).toBe(true);
    expect(colorsFor({ isTTY: false }, {}).enabled).toBe(false);
    expect(colorsFor({ isTTY: true }, { NO_COLOR: '1' }).enabled).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorsFor({ isTTY: true }, { NO_COLOR: '' }).enabled).toBe(true);
    expect(plain.paint('text', 'red', 'bold')).toBe('text');
    expect(makeColors(true).paint('text', 'red', 'bold')).toBe('\x1b[31m\x1b[1mtext\x1b[22m\x1b[39m');
  });
});

describe('durations and sizes', () => {
  it('are short', () => {
    expect([0, 45_000, 180_000, 7_200_000, 5 * 86_400_000].map(shortDuration)).toEqual(['0s', '45s', '3m', '2h', '5d']);
    expect([512, 3500, 12 * 1024 * 1024, 1.25 * 1024 ** 3].map(formatBytes)).toEqual(['512 B', '3.4 KiB', '12 MiB', '1.3 GiB']);
  });
});
