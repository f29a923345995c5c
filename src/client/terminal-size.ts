// The size of the user's terminal: one that reports none (0×0, as a PTY whose size was never set does,
// under `script` or some CI runners) counts as tmux's default, 80×24 — for sessions, tables and replay.
export function terminalSize(stream: NodeJS.WriteStream = process.stdout): { cols: number; rows: number } {
  return { cols: stream.columns || 80, rows: stream.rows || 24 };
}
