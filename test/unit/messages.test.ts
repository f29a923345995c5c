// parseClientMessage and request arguments: valid messages, defaults, and errors that name the message and key.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, parseClientMessage, parseServerMessage } from '../../src/protocol/messages';
import { REQUEST_ARGS } from '../../src/protocol/requests';
import { ValidationError } from '../../src/protocol/schema';
import { failure } from '../helpers/validation';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('request arguments', () => {
  it('fill defaults of a send request', () => {
    expect(REQUEST_ARGS.send.parse({ session: 'web' }, 'send')).toEqual({ session: 'web', keys: [], enter: false });
  });

  it('validate session names and sizes, naming the argument', () => {
    const base = { command: ['sh'], cwd: '/', cols: 80, rows: 24 };
    expect(REQUEST_ARGS.new.parse({ ...base, name: 'a.b_c@d+e-1' }, 'new')).toMatchObject({ name: 'a.b_c@d+e-1', env: {} });
    expect(failure(() => REQUEST_ARGS.new.parse({ ...base, name: '-x' }, 'new'))).toMatch(/^new\.name: expected a name of letters/);
    expect(failure(() => REQUEST_ARGS.new.parse({ ...base, cols: 1 }, 'new'))).toBe('new.cols: expected an integer from 2 to 2000, got 1');
    expect(failure(() => REQUEST_ARGS.new.parse({ ...base, command: ['sh', ''] }, 'new'))).toBe('new.command[1]: must not be empty');
    expect(failure(() => REQUEST_ARGS.wait.parse({ session: 's', until: 'match', flags: 'g' }, 'wait'))).toMatch(/^wait\.flags: expected/);
  });
});

describe('parseClientMessage', () => {
  it('parses each message type', () => {
    expect(parseClientMessage(json({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'cli', version: '1.0' }))).toEqual({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      client: 'cli',
      version: '1.0',
    });
    expect(parseClientMessage(json({ type: 'attach-resize', cols: 100, rows: 30 }))).toEqual({ type: 'attach-resize', cols: 100, rows: 30 });
    expect(parseClientMessage(json({ type: 'detach' }))).toEqual({ type: 'detach' });
  });

  it('defaults missing or null request args to an empty object and keeps args as sent', () => {
    expect(parseClientMessage(json({ type: 'request', id: 4, command: 'ls' }))).toEqual({ type: 'request', id: 4, command: 'ls', args: {} });
    expect(parseClientMessage(json({ type: 'request', id: 4, command: 'ls', args: null }))).toMatchObject({ args: {} });
    expect(parseClientMessage(json({ type: 'request', id: 5, command: 'has', args: { session: 'x' } }))).toMatchObject({ args: { session: 'x' } });
  });

  it('rejects unknown keys, naming the message type and key', () => {
    expect(failure(() => parseClientMessage(json({ type: 'detach', now: true })))).toBe('detach.now: unknown key (known: type)');
    expect(failure(() => parseClientMessage(json({ type: 'hello', protocol: 1, client: 'c', version: 'v', extra: 1 })))).toBe('hello.extra: unknown key (known: type, protocol, client, version)');
  });

  it('rejects bad fields with their path', () => {
    expect(failure(() => parseClientMessage(json({ type: 'request', id: -1, command: 'ls' })))).toMatch(/^request\.id: expected an integer/);
    expect(failure(() => parseClientMessage(json({ type: 'request', id: 1, command: 'format-disk' })))).toMatch(/^request\.command: expected one of "status"/);
    expect(failure(() => parseClientMessage(json({ type: 'attach-resize', cols: 0, rows: 10 })))).toMatch(/^attach-resize\.cols: /);
    expect(failure(() => parseClientMessage(json({ type: 'hello', protocol: 1, client: 'x'.repeat(65), version: '1' })))).toBe(
      'hello.client: longer than 64 characters',
    );
  });

  it('rejects garbage JSON, non-objects and unknown types with a clear message', () => {
    expect(failure(() => parseClientMessage(Buffer.from('{"type":')))).toBe('control frame is not valid JSON');
    expect(failure(() => parseClientMessage(Buffer.from([0xff, 0xfe])))).toBe('control frame is not valid JSON');
    expect(failure(() => parseClientMessage(Buffer.from('')))).toBe('control frame is not valid JSON');
    expect(failure(() => parseClientMessage(json('hello')))).toBe('control frame is not a JSON object');
    expect(failure(() => parseClientMessage(json(null)))).toBe('control frame is not a JSON object');
    expect(failure(() => parseClientMessage(json([{ type: 'detach' }])))).toBe('control frame is not a JSON object');
    expect(failure(() => parseClientMessage(json({ type: 'shutdown' })))).toBe('unknown control message type "shutdown"');
    expect(failure(() => parseClientMessage(json({})))).toBe('unknown control message type undefined');
  });
});

describe('parseServerMessage', () => {
  it('accepts a typed object and refuses anything without a type', () => {
    expect(parseServerMessage(json({ type: 'welcome', protocol: 1, version: 'v', pid: 1 }))).toMatchObject({ type: 'welcome' });
    expect(() => parseServerMessage(json({ ok: true }))).toThrow(ValidationError);
    expect(() => parseServerMessage(json(null))).toThrow(ValidationError);
    expect(() => parseServerMessage(Buffer.from('{"type":'))).toThrow(ValidationError);
  });
});
