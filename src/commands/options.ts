// Reading parsed flags with the right types (cac turns "007" into 7; names must stay strings).
import { CcmuxError } from '../errors';
import type { CommandContext } from './command';

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  if (value === undefined || value === false) return undefined;
  if (value === true) throw new CcmuxError('usage', `--${name} needs a value`);
  return String(Array.isArray(value) ? value[value.length - 1] : value);
}

export function integerOption(context: CommandContext, name: string, min = 1, max = 100_000): number | undefined {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    const flag = name.length === 1 ? `-${name}` : `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new CcmuxError('usage', `${flag} expects a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function numberOption(context: CommandContext, name: string): number | undefined {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new CcmuxError('usage', `--${name} expects a number of seconds, got "${text}"`);
  return value;
}

export function listOption(context: CommandContext, name: string): string[] {
  const value = context.options[name];
  if (value === undefined || value === false) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
