// A real PTY the test controls, rendered by a headless xterm: what a user would see in their terminal.
import * as pty from '@homebridge/node-pty-prebuilt-multiarch';
import { Terminal } from '@xterm/headless';
import { waitUntil } from './wait-until';

export interface TerminalOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export class TestTerminal {
  readonly term: Terminal;
  readonly process: pty.IPty;
  private raw: Buffer[] = [];
  private exitInfo: { exitCode: number; signal?: number } | undefined;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;

  constructor(file: string, args: string[], options: TerminalOptions = {}) {
    const cols = options.cols ?? 100;
    const rows = options.rows ?? 30;
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
    this.process = pty.spawn(file, args, {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? (process.env as Record<string, string>),
      encoding: null,
    } as pty.IPtyForkOptions);
    // Answer the terminal's replies (cursor position reports etc.) like a real terminal would.
    this.term.onData((data) => this.process.write(data));
    this.process.onData((data: string | Buffer) => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      this.raw.push(chunk);
      this.term.write(chunk);
    });
    this.exited = new Promise((resolve) => {
      this.process.onExit((exit) => {
        this.exitInfo = exit;
        resolve(exit);
      });
    });
  }

  get pid(): number {
    return this.process.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Everything the program wrote to the terminal so far. */
  output(): string {
    return Buffer.concat(this.raw).toString('utf8');
  }

  write(data: string): void {
    this.process.write(data);
  }

  resize(cols: number, rows: number): void {
    this.process.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  /** Resolves once xterm has parsed everything received so far. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** The visible screen as text, trailing blank lines removed. */
  async screen(): Promise<string> {
    await this.settled();
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '');
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  async waitForScreen(predicate: (screen: string) => boolean, description: string, timeoutMs = 10_000): Promise<string> {
    let last = '';
    return waitUntil(
      description,
      async () => {
        last = await this.screen();
        return predicate(last) ? last : undefined;
      },
      { timeoutMs, detail: () => `terminal showed:\n${last}` },
    );
  }

  async waitForOutput(text: string | RegExp, timeoutMs = 10_000): Promise<void> {
    await waitUntil(`terminal output ${text}`, () => (typeof text === 'string' ? this.output().includes(text) : text.test(this.output())), {
      timeoutMs,
      detail: () => `output tail: ${JSON.stringify(this.output().slice(-500))}`,
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.hasExited) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Gone.
    }
  }

  async dispose(): Promise<void> {
    if (!this.hasExited) {
      this.kill('SIGKILL');
      await this.exited;
    }
    this.term.dispose();
  }
}
