// `ccmux send`: type text and keys into a session without attaching.
import * as fs from 'node:fs';
import { CcmuxError, EXIT } from '../errors';
import { keyBytes } from '../keys';
import { MAX_SEND_BYTES } from '../protocol/requests';
import type { CommandSpec } from './command';
import { listOption } from './options';

export const sendCommand: CommandSpec = {
  name: 'send',
  args: '<name> [...text]',
  summary: 'type into a session: text (then Enter), key names, or stdin',
  group: 'Step in',
  examples: [
    'ccmux send build "make test"          # types it and presses Enter',
    'ccmux send build --keys C-c           # interrupts',
    'ccmux send vim --keys Escape,:wq,Enter',
    'git diff | ccmux send claude --stdin  # multi-line text goes in as a paste',
  ],
  options: [
    { flags: '--keys <keys>', description: 'key names, comma- or space-separated: Enter, Tab, Escape, C-c, M-x, Up, F1… (repeatable)', repeatable: true },
    { flags: '--stdin', description: 'type what arrives on stdin, as is' },
    { flags: '--no-enter', description: 'do not press Enter after the text' },
  ],
  async run(context) {
    const keys = listOption(context, 'keys').flatMap((value) => value.split(/[\s,]+/).filter(Boolean));
    for (const key of keys) keyBytes(key); // A bad key name is a usage error before anything is typed.
    let text = context.args.length > 1 ? context.args.slice(1).join(' ') : undefined;
    let enter = text !== undefined && context.options.enter !== false;
    if (context.options.stdin) {
      const input = fs.readFileSync(0);
      if (input.length > MAX_SEND_BYTES) throw new CcmuxError('too-large', `stdin is ${input.length} bytes; send takes at most ${MAX_SEND_BYTES}`);
      text = (text ?? '') + input.toString('utf8');
      enter = false;
    }
    if (text === undefined && keys.length === 0) throw new CcmuxError('usage', 'nothing to send: give text, --keys or --stdin');
    if (text !== undefined && Buffer.byteLength(text) > MAX_SEND_BYTES) {
      throw new CcmuxError('too-large', `text is larger than ${MAX_SEND_BYTES} bytes`);
    }
    const connection = await context.connect();
    await connection.request('send', { session: context.args[0]!, text, keys, enter });
    connection.close();
    return EXIT.ok;
  },
};
