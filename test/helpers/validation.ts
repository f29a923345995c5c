// Runs a parse that must fail and returns the ValidationError's message, for exact assertions on it.
import { expect } from 'vitest';
import { ValidationError } from '../../src/protocol/schema';

export function failure(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError, but parsing succeeded');
}
