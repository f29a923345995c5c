// Encodes a timeline as asciicast lines: v3 (intervals, ms, rounding carried so the total never drifts)
// or v2 (absolute seconds, µs); output and input bytes become UTF-8 text by streaming decoders.

export type CastVersion = 2 | 3;

export interface CastMeta {
  cols: number;
  rows: number;
  /** Unix time in ms the session started. */
  createdAt: number;
  command: string;
  title: string;
}

export class CastWriter {
  /** Decoders keep an incomplete multi-byte tail for the next event; U+FFFD only for invalid bytes. */
  private readonly outputDecoder = new TextDecoder('utf-8');
  private readonly inputDecoder = new TextDecoder('utf-8');
  /** Time of the last event written (ms), so that times never go backwards. */
  private last = 0;
  /** v3: the whole milliseconds written so far; each interval is measured against it. */
  private emittedMs = 0;

  constructor(private readonly version: CastVersion) {}

  header(meta: CastMeta): string {
    // Whole seconds: asciinema 3 reads the timestamp as an integer.
    const timestamp = Math.floor(meta.createdAt / 1000);
    const extra = { timestamp, ...(meta.command ? { command: meta.command } : {}), ...(meta.title ? { title: meta.title } : {}), env: { TERM: 'xterm-256color' } };
    const header =
      this.version === 3
        ? { version: 3, term: { cols: meta.cols, rows: meta.rows, type: 'xterm-256color' }, ...extra }
        : { version: 2, width: meta.cols, height: meta.rows, ...extra };
    return `${JSON.stringify(header)}\n`;
  }

  output(time: number, data: Uint8Array): string {
    return this.text(time, 'o', this.outputDecoder.decode(data, { stream: true }));
  }

  input(time: number, data: Uint8Array): string {
    return this.text(time, 'i', this.inputDecoder.decode(data, { stream: true }));
  }

  marker(time: number, label: string): string {
    return this.line(time, 'm', label);
  }

  resize(time: number, cols: number, rows: number): string {
    return this.line(time, 'r', `${cols}x${rows}`);
  }

  exit(time: number, status: number): string {
    return this.line(time, 'x', String(status));
  }

  /** What the decoders still hold (a multi-byte character cut off by the end), as U+FFFD. */
  finish(time: number): string {
    return this.text(time, 'o', this.outputDecoder.decode()) + this.text(time, 'i', this.inputDecoder.decode());
  }

  private text(time: number, code: string, data: string): string {
    return data ? this.line(time, code, data) : '';
  }

  private line(time: number, code: string, data: string): string {
    const at = Math.max(time, this.last);
    this.last = at;
    return `[${this.time(at)}, "${code}", ${JSON.stringify(data)}]\n`;
  }

  private time(at: number): string {
    if (this.version === 2) return (at / 1000).toFixed(6);
    const ms = Math.round(at);
    const interval = ms - this.emittedMs;
    this.emittedMs = ms;
    return (interval / 1000).toFixed(3);
  }
}
