// `ccmux resize`: set a session's size (attached clients take it back when they type).
import { CcmuxError, EXIT } from '../errors';
import type { CommandSpec } from './command';

function dimension(text: string | undefined, what: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 2 || value > max) {
    throw new CcmuxError('usage', `${what} must be a whole number from 2 to ${max}, got "${text}"`);
  }
  return value;
}

export const resizeCommand: CommandSpec = {
  name: 'resize',
  args: '<name> <cols> <rows>',
  summary: "set a session's size",
  group: 'Sessions',
  examples: ['ccmux resize build 120 40'],
  options: [],
  async run(context) {
    const [session, cols, rows] = context.args;
    const size = { cols: dimension(cols, 'cols', 2000), rows: dimension(rows, 'rows', 1000) };
    const connection = await context.connect();
    await connection.request('resize', { session: session!, ...size });
    connection.close();
    return EXIT.ok;
  },
};
