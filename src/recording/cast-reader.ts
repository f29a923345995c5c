// A strict reader for asciicast v2 and v3 files (as asciinema 2.x and 3.x write them): the header, then
// events with absolute times; every problem is reported with its line number.
import * as fs from 'node:fs';
import { CcmuxError } from '../errors';

export interface CastHeader {
  version: 2 | 3;
  /** Initial terminal size. */
  cols: number;
  rows: number;
  /** Unix time (seconds) the recording started, if the file says. */
  timestamp: number | undefined;
  command: string | undefined;
  title: string | undefined;
}

export interface CastEvent {
  line: number;
  /** Milliseconds since the recording started (µs precision). */
  time: number;
  code: string;
  data: string;
}

/** A malformed file; the message names the file and the line. */
export class CastError extends CcmuxError {
  constructor(source: string, line: number, reason: string) {
    super('bad-request', `${source} line ${line}: ${reason}`);
  }
}

const RESIZE = /^(\d+)x(\d+)$/;

export function parseResize(data: string): { cols: number; rows: number } | undefined {
  const match = RESIZE.exec(data);
  return match ? { cols: Number(match[1]), rows: Number(match[2]) } : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses lines one at a time: the header first, then events (v2: absolute times, v3: intervals). */
export class CastParser {
  private version: 2 | 3 | undefined;
  /** Running time in whole microseconds, so that summing v3 intervals accumulates no float error. */
  private micros = 0;

  constructor(private readonly source: string) {}

  private fail(line: number, reason: string): never {
    throw new CastError(this.source, line, reason);
  }

  private json(text: string, line: number, complete: boolean): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      if (!complete) this.fail(line, 'truncated: the file ends in the middle of a line');
      return this.fail(line, `not valid JSON (${(error as Error).message})`);
    }
  }

  header(text: string, line: number, complete = true): CastHeader {
    if (!text.trim()) this.fail(line, 'expected an asciicast header, found an empty line');
    const value = this.json(text, line, complete);
    if (!isObject(value)) this.fail(line, 'expected an asciicast header (a JSON object)');
    if (value.version !== 2 && value.version !== 3) {
      this.fail(line, `unsupported asciicast version ${JSON.stringify(value.version ?? null)} (ccmux reads versions 2 and 3)`);
    }
    this.version = value.version;
    const term = value.version === 3 ? value.term : value;
    if (!isObject(term)) this.fail(line, 'the v3 header has no "term" object');
    const [colsKey, rowsKey] = value.version === 3 ? ['term.cols', 'term.rows'] : ['width', 'height'];
    const cols = value.version === 3 ? term.cols : term.width;
    const rows = value.version === 3 ? term.rows : term.height;
    for (const [key, size] of [[colsKey, cols], [rowsKey, rows]] as const) {
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 10_000) {
        this.fail(line, `header ${key} must be a whole number from 1 to 10000`);
      }
    }
    return {
      version: value.version,
      cols: cols as number,
      rows: rows as number,
      timestamp: this.optional(value, 'timestamp', 'number', line) as number | undefined,
      command: this.optional(value, 'command', 'string', line) as string | undefined,
      title: this.optional(value, 'title', 'string', line) as string | undefined,
    };
  }

  private optional(header: Record<string, unknown>, key: string, type: 'number' | 'string', line: number): unknown {
    const value = header[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) this.fail(line, `header ${key} must be a ${type}`);
    return value;
  }

  /** One event line; undefined for blank lines and (v3) comments. */
  event(text: string, line: number, complete = true): CastEvent | undefined {
    if (!text.trim()) return undefined;
    if (text.startsWith('#')) {
      if (this.version === 3) return undefined;
      this.fail(line, 'comment lines are only allowed in asciicast v3');
    }
    const value = this.json(text, line, complete);
    if (!Array.isArray(value) || value.length !== 3) this.fail(line, 'expected an event [time, code, data]');
    const [time, code, data] = value as unknown[];
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) this.fail(line, 'the event time must be a number of seconds ≥ 0');
    if (typeof code !== 'string' || !code) this.fail(line, 'the event code must be a non-empty string');
    if (typeof data !== 'string') this.fail(line, 'the event data must be a string');
    if (code === 'r' && !parseResize(data)) this.fail(line, `a resize must be "COLSxROWS", got ${JSON.stringify(data)}`);
    const micros = Math.round(time * 1_000_000);
    this.micros = this.version === 3 ? this.micros + micros : micros;
    return { line, time: this.micros / 1000, code, data };
  }
}

export interface CastLine {
  text: string;
  number: number;
  /** False for a last line that has no newline (a file cut off while being written). */
  complete: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's lines, streamed (casts can be large); invalid UTF-8 is an error naming the line. */
export async function* castLines(file: string, source = file): AsyncGenerator<CastLine> {
  let number = 0;
  let pending: Buffer[] = [];
  const decode = (bytes: Buffer): string => {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw new CastError(source, number, 'not valid UTF-8');
    }
  };
  let stream: fs.ReadStream;
  try {
    stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
        number++;
        pending.push(chunk.subarray(start, end));
        const text = decode(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
        pending = [];
        start = end + 1;
        yield { text, number, complete: true };
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (error) {
    if (error instanceof CcmuxError) throw error;
    throw new CcmuxError('io', `cannot read ${source}: ${(error as Error).message}`);
  }
  if (pending.length) {
    number++;
    yield { text: decode(Buffer.concat(pending)), number, complete: false };
  }
}

/** Parses a whole cast held in memory (tests, small files). */
export function parseCast(text: string, source = 'cast'): { header: CastHeader; events: CastEvent[] } {
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  const parser = new CastParser(source);
  const last = lines.length;
  const header = parser.header(lines[0] ?? '', 1, complete || last > 1);
  const events: CastEvent[] = [];
  for (let index = 1; index < last; index++) {
    const event = parser.event(lines[index]!, index + 1, complete || index + 1 < last);
    if (event) events.push(event);
  }
  return { header, events };
}

/** Reads the header at once (so that a wrong file fails before anything is written); events stream. */
export async function openCast(file: string, source = file): Promise<{ header: CastHeader; events: AsyncIterable<CastEvent> }> {
  const lines = castLines(file, source);
  const first = await lines.next();
  if (first.done) throw new CastError(source, 1, 'the file is empty; expected an asciicast header');
  const parser = new CastParser(source);
  const header = parser.header(first.value.text, first.value.number, first.value.complete);
  async function* events(): AsyncIterable<CastEvent> {
    for await (const line of lines) {
      const event = parser.event(line.text, line.number, line.complete);
      if (event) yield event;
    }
  }
  return { header, events: events() };
}
