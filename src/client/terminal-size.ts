// The size of the user's terminal, for a session: one that reports none (0×0, as a PTY whose size was never
// set, under `script` or some CI runners, does) gets tmux's default, 80×24.
export function terminalSize(stream: NodeJS.WriteStream = process.stdout): { cols: number; rows: number } {
  return { cols: stream.columns || 80, rows: stream.rows || 24 };
}
