// Tiny runtime validators with inferred static types, for untrusted frames and config at the edges.

export class ValidationError extends Error {}

export interface Validator<T, Input = T> {
  readonly description: string;
  parse(value: unknown, path: string): T;
  /** Type-level only: what a caller may pass (defaulted fields may be left out). */
  readonly _input?: Input;
}

export type Infer<V> = V extends Validator<infer T, unknown> ? T : never;
export type InferInput<V> = V extends Validator<unknown, infer I> ? I : never;

/** A number of the right type but out of range names the value, not its type. */
function failNumber(path: string, expected: string, value: unknown): never {
  if (typeof value === 'number') throw new ValidationError(`${path}: expected ${expected}, got ${value}`);
  fail(path, expected, value);
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ValidationError(`${path}: expected ${expected}, got ${got}`);
}

export function string(options: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Validator<string> {
  const { min = 0, max = 1 << 20, pattern, hint } = options;
  const description = hint ?? (pattern ? `a string matching ${pattern}` : 'a string');
  return {
    description,
    parse(value, path) {
      if (typeof value !== 'string') fail(path, description, value);
      if (value.length < min) throw new ValidationError(`${path}: must not be ${min === 1 ? 'empty' : `shorter than ${min}`}`);
      if (value.length > max) throw new ValidationError(`${path}: longer than ${max} characters`);
      if (pattern && !pattern.test(value)) throw new ValidationError(`${path}: expected ${description}`);
      return value;
    },
  };
}

export function integer(min: number, max: number): Validator<number> {
  const description = `an integer from ${min} to ${max}`;
  return {
    description,
    parse(value, path) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) failNumber(path, description, value);
      return value;
    },
  };
}

export function number(min: number, max: number): Validator<number> {
  const description = `a number from ${min} to ${max}`;
  return {
    description,
    parse(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) failNumber(path, description, value);
      return value;
    },
  };
}

export function boolean(): Validator<boolean> {
  return {
    description: 'true or false',
    parse(value, path) {
      if (typeof value !== 'boolean') fail(path, 'true or false', value);
      return value;
    },
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Validator<T[number]> {
  const description = `one of ${values.map((item) => JSON.stringify(item)).join(', ')}`;
  return {
    description,
    parse(value, path) {
      if (typeof value !== 'string' || !values.includes(value)) fail(path, description, value);
      return value as T[number];
    },
  };
}

/** Any JSON value (its size is bounded by the frame limit). */
export function anything(): Validator<unknown> {
  return { description: 'any value', parse: (value) => value };
}

export function optional<T, I>(inner: Validator<T, I>): Validator<T | undefined, I | undefined> {
  return {
    description: `${inner.description} (optional)`,
    parse(value, path) {
      return value === undefined || value === null ? undefined : inner.parse(value, path);
    },
  };
}

export function withDefault<T, I>(inner: Validator<T, I>, fallback: T): Validator<T, I | undefined> {
  return {
    description: inner.description,
    parse(value, path) {
      return value === undefined || value === null ? fallback : inner.parse(value, path);
    },
  };
}

export function array<T, I>(inner: Validator<T, I>, maxItems = 10_000): Validator<T[], I[]> {
  const description = `a list of ${inner.description}`;
  return {
    description,
    parse(value, path) {
      if (!Array.isArray(value)) fail(path, description, value);
      if (value.length > maxItems) throw new ValidationError(`${path}: more than ${maxItems} items`);
      return value.map((item, index) => inner.parse(item, `${path}[${index}]`));
    },
  };
}

export function record<T, I>(inner: Validator<T, I>, maxKeys = 10_000): Validator<Record<string, T>, Record<string, I>> {
  const description = `an object of ${inner.description}`;
  return {
    description,
    parse(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, description, value);
      const entries = Object.entries(value);
      if (entries.length > maxKeys) throw new ValidationError(`${path}: more than ${maxKeys} keys`);
      // fromEntries defines own properties, so a "__proto__" key stays data instead of setting the prototype.
      return Object.fromEntries(entries.map(([key, item]) => [key, inner.parse(item, `${path}.${key}`)]));
    },
  };
}

type Shape = Record<string, Validator<unknown, unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }>;
type OptionalInputKeys<S extends Shape> = { [K in keyof S]: undefined extends InferInput<S[K]> ? K : never }[keyof S];
export type InputOf<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalInputKeys<S>>]: InferInput<S[K]> } & { [K in OptionalInputKeys<S>]?: InferInput<S[K]> }
>;

/** An object with exactly these keys; unknown keys are an error so that typos are caught. */
export function object<S extends Shape>(
  shape: S,
  options: { allowUnknown?: boolean } = {},
): Validator<ObjectOf<S>, InputOf<S>> {
  return {
    description: 'an object',
    parse(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
      const input = value as Record<string, unknown>;
      if (!options.allowUnknown) {
        for (const key of Object.keys(input)) {
          // Own keys only: `in` would also accept inherited names such as "constructor" or "__proto__".
          if (!Object.hasOwn(shape, key)) throw new ValidationError(`${path}.${key}: unknown key (known: ${Object.keys(shape).join(', ')})`);
        }
      }
      const result: Record<string, unknown> = {};
      for (const [key, validator] of Object.entries(shape)) {
        const parsed = validator.parse(input[key], `${path}.${key}`);
        if (parsed !== undefined) result[key] = parsed;
      }
      return result as ObjectOf<S>;
    },
  };
}
