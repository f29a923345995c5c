// Formatting for people: relative times, durations, sizes, exit descriptions, aligned tables that fit.
import type { ExitInfo } from '../protocol/messages';
import { stripColor, type Colors, type Style } from '../util/color';

export function relativeTime(at: number | null, now = Date.now()): string {
  if (at === null) return '-';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 5) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

export function describeExit(exit: ExitInfo | null): string {
  if (!exit) return '';
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Shell-like rendering of an argv, quoting what needs it. */
export function commandLine(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Left-aligned columns; the last column may be truncated to fit `width`. */
export function table(header: string[], rows: string[][], width = Infinity): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const render = (cells: string[]) => {
    const line = cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
    return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
  };
  return [render(header), ...rows.map(render)].join('\n');
}

/** A span of milliseconds, short: 45s, 3m, 2h, 5d. */
export function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.round(hours / 24)}d`;
}

/** Bytes for people: 512 B, 3.4 KiB, 12 MiB, 1.2 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export interface Column {
  title: string;
  /** Columns with a number are dropped, lowest first, while the table is too wide. */
  drop?: number;
  /** May be cut (with …) down to this width before any column with an equal or higher `drop` goes. */
  minWidth?: number;
}

export interface Cell {
  text: string;
  styles?: (Style | undefined)[];
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/**
 * A table that fits `width`: less important columns are dropped and long ones cut first; only a
 * table that still does not fit has its lines cut. Colour goes on after padding, so widths are exact.
 */
export function fitTable(columns: Column[], rows: (string | Cell)[][], width: number, colors: Colors): string {
  const cells = rows.map((row) => row.map((cell): Cell => (typeof cell === 'string' ? { text: cell } : cell)));
  const widths = columns.map((column, index) => Math.max(column.title.length, ...cells.map((row) => row[index]?.text.length ?? 0)));
  const visible = columns.map(() => true);
  const total = () => widths.reduce((sum, w, index) => (visible[index] ? sum + w + 2 : sum), -2);
  const droppable = columns
    .map((column, index) => ({ index, drop: column.drop }))
    .filter((entry): entry is { index: number; drop: number } => entry.drop !== undefined)
    .sort((a, b) => a.drop - b.drop);
  for (const next of droppable) {
    if (total() <= width) break;
    columns.forEach((column, index) => {
      const excess = total() - width;
      if (excess <= 0 || !visible[index] || column.minWidth === undefined || next.drop < (column.drop ?? Infinity)) return;
      widths[index] = Math.max(column.minWidth, widths[index]! - excess);
    });
    if (total() > width) visible[next.index] = false;
  }
  const shown = columns.map((_, index) => index).filter((index) => visible[index]);
  const render = (row: Cell[], header: boolean) => {
    const line = shown
      .map((index, position) => {
        const cell = row[index] ?? { text: '' };
        const text = cut(cell.text, widths[index]!);
        const padding = position === shown.length - 1 ? '' : ' '.repeat(widths[index]! - text.length);
        return colors.paint(text, ...(header ? ['bold' as const] : (cell.styles ?? []))) + padding;
      })
      .join('  ');
    return stripColor(line).length > width ? cut(stripColor(line), width) : line;
  };
  return [render(columns.map((column) => ({ text: column.title })), true), ...cells.map((row) => render(row, false))].join('\n');
}
