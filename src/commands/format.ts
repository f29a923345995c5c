// Formatting for people: relative times, exit descriptions, aligned tables.
import type { ExitInfo } from '../protocol/messages';

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
