// Progress for long operations on stderr, only when stderr is a terminal (quiet when piped).

export interface Progress {
  update(done: number): void;
  done(): void;
}

export function progressReporter(label: string, total: number): Progress {
  const stream = process.stderr;
  if (!stream.isTTY || total <= 0) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r${label} ${Math.min(100, Math.floor((done / total) * 100))}%\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
