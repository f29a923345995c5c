// Runtime validators: what passes, what fails, and that errors name the offending path.
import { describe, expect, it } from 'vitest';
import {
  ValidationError,
  array,
  boolean,
  integer,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  withDefault,
} from '../../src/protocol/schema';
import { failure } from '../helpers/validation';

describe('scalar validators', () => {
  it('string: type, bounds, pattern and hint', () => {
    expect(string().parse('', 'p')).toBe('');
    expect(failure(() => string().parse(3, 'p'))).toBe('p: expected a string, got number');
    expect(failure(() => string({ min: 1 }).parse('', 'p'))).toBe('p: must not be empty');
    expect(failure(() => string({ min: 3 }).parse('ab', 'p'))).toBe('p: must not be shorter than 3');
    expect(string({ max: 2 }).parse('ab', 'p')).toBe('ab');
    expect(failure(() => string({ max: 2 }).parse('abc', 'p'))).toBe('p: longer than 2 characters');
    expect(failure(() => string({ pattern: /^a+$/ }).parse('ab', 'p'))).toBe('p: expected a string matching /^a+$/');
    expect(failure(() => string({ pattern: /^a+$/, hint: 'only as' }).parse('b', 'p'))).toBe('p: expected only as');
  });

  it('integer: whole numbers within bounds only', () => {
    const validator = integer(1, 10);
    expect(validator.parse(1, 'n')).toBe(1);
    expect(validator.parse(10, 'n')).toBe(10);
    for (const bad of [0, 11, 1.5, Number.NaN, Infinity, '5', null, true]) {
      expect(failure(() => validator.parse(bad, 'n'))).toMatch(/^n: expected an integer from 1 to 10, got /);
    }
    expect(failure(() => validator.parse(null, 'n'))).toBe('n: expected an integer from 1 to 10, got null');
    expect(failure(() => validator.parse(0, 'n'))).toBe('n: expected an integer from 1 to 10, got 0');
  });

  it('number: finite numbers within bounds', () => {
    expect(number(0.05, 2).parse(0.05, 'x')).toBe(0.05);
    expect(number(0.05, 2).parse(1.5, 'x')).toBe(1.5);
    for (const bad of [0.01, 2.5, Number.NaN, Infinity, '1']) expect(() => number(0.05, 2).parse(bad, 'x')).toThrow(ValidationError);
  });

  it('boolean and oneOf', () => {
    expect(boolean().parse(false, 'b')).toBe(false);
    expect(failure(() => boolean().parse('true', 'b'))).toBe('b: expected true or false, got string');
    const until = oneOf(['exit', 'idle'] as const);
    expect(until.parse('idle', 'u')).toBe('idle');
    expect(failure(() => until.parse('match', 'u'))).toBe('u: expected one of "exit", "idle", got string');
    expect(failure(() => until.parse(['exit'], 'u'))).toBe('u: expected one of "exit", "idle", got an array');
  });

  it('optional and withDefault treat undefined and null as absent', () => {
    expect(optional(integer(0, 1)).parse(undefined, 'o')).toBeUndefined();
    expect(optional(integer(0, 1)).parse(null, 'o')).toBeUndefined();
    expect(() => optional(integer(0, 1)).parse(2, 'o')).toThrow(ValidationError);
    expect(withDefault(integer(0, 9), 7).parse(undefined, 'd')).toBe(7);
    expect(withDefault(integer(0, 9), 7).parse(null, 'd')).toBe(7);
    expect(withDefault(integer(0, 9), 7).parse(3, 'd')).toBe(3);
    expect(() => withDefault(integer(0, 9), 7).parse('3', 'd')).toThrow(ValidationError);
  });
});

describe('container validators', () => {
  it('array: element paths, item limit', () => {
    expect(array(integer(0, 9)).parse([1, 2], 'a')).toEqual([1, 2]);
    expect(failure(() => array(integer(0, 9)).parse([1, 'x'], 'a'))).toBe('a[1]: expected an integer from 0 to 9, got string');
    expect(failure(() => array(integer(0, 9), 2).parse([1, 2, 3], 'a'))).toBe('a: more than 2 items');
    expect(failure(() => array(integer(0, 9)).parse({ 0: 1 }, 'a'))).toMatch(/^a: expected a list of/);
  });

  it('record: key paths, key limit, no prototype tricks', () => {
    expect(record(string()).parse({ A: 'x', B: '' }, 'env')).toEqual({ A: 'x', B: '' });
    expect(failure(() => record(string()).parse({ A: 1 }, 'env'))).toBe('env.A: expected a string, got number');
    expect(failure(() => record(string(), 1).parse({ A: '', B: '' }, 'env'))).toBe('env: more than 1 keys');
    expect(failure(() => record(string()).parse([], 'env'))).toMatch(/^env: expected an object of a string, got an array/);
    // JSON can carry an own "__proto__" key: it must stay a plain entry, not replace the prototype.
    const parsed = record(string()).parse(JSON.parse('{"__proto__":"x","PATH":"/bin"}'), 'env');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.entries(parsed)).toEqual([
      ['__proto__', 'x'],
      ['PATH', '/bin'],
    ]);
  });

  it('object: required keys, defaults filled in, absent optionals left out', () => {
    const shape = object({ name: string(), count: withDefault(integer(0, 9), 3), note: optional(string()) });
    expect(shape.parse({ name: 'a' }, 'x')).toEqual({ name: 'a', count: 3 });
    expect(Object.keys(shape.parse({ name: 'a' }, 'x'))).toEqual(['name', 'count']);
    expect(shape.parse({ name: 'a', count: 0, note: 'n' }, 'x')).toEqual({ name: 'a', count: 0, note: 'n' });
    expect(failure(() => shape.parse({}, 'x'))).toBe('x.name: expected a string, got undefined');
    expect(failure(() => shape.parse(null, 'x'))).toBe('x: expected an object, got null');
    expect(failure(() => shape.parse([], 'x'))).toBe('x: expected an object, got an array');
  });

  it('object: rejects unknown keys with their full path, including ones named like Object.prototype members', () => {
    const inner = object({ a: integer(0, 1) });
    const outer = object({ inner, list: withDefault(array(inner), []) });
    expect(failure(() => outer.parse({ inner: { a: 1, typo: 2 } }, 'req'))).toBe('req.inner.typo: unknown key (known: a)');
    expect(failure(() => outer.parse({ inner: { a: 1 }, list: [{ a: 0 }, { b: 1 }] }, 'req'))).toBe('req.list[1].b: unknown key (known: a)');
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      expect(failure(() => inner.parse(JSON.parse(`{"a":1,"${key}":1}`), 'req'))).toBe(`req.${key}: unknown key (known: a)`);
    }
    expect(object({ a: integer(0, 1) }, { allowUnknown: true }).parse({ a: 1, b: 2 }, 'x')).toEqual({ a: 1 });
  });
});
