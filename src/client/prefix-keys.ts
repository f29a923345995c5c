// The attach client's prefix key (default C-b): `prefix d` detaches, `prefix prefix` types the prefix itself.
//
// Keys arrive either as legacy bytes (0x02 for C-b) or, when the program enabled the kitty keyboard
// protocol in the user's terminal, as CSI-u sequences (`ESC [ 98 ; 5 u`); both are recognised.

export type PrefixAction = { type: 'input'; data: Buffer } | { type: 'detach' };

const ESC = '\x1b';

export class PrefixKeys {
  private armed = false;
  private readonly legacy: string;
  private readonly csiU: RegExp;
  private readonly detachCsiU = /^\x1b\[100(;1(:1)?)?u/;

  constructor(prefix: number) {
    this.legacy = String.fromCharCode(prefix);
    // C-<letter> in the kitty protocol: the letter's code with the ctrl modifier (5), press or repeat.
    const letter = prefix === 0 ? 32 : prefix + 0x60;
    this.csiU = new RegExp(`^\\x1b\\[${letter};5(:[12])?u`);
  }

  /** Splits typed bytes into input for the session and prefix commands, in order. */
  feed(data: Buffer): PrefixAction[] {
    const text = data.toString('latin1');
    if (!this.armed && !text.includes(this.legacy) && !text.includes(`${ESC}[`)) return [{ type: 'input', data }];
    const actions: PrefixAction[] = [];
    let pending = '';
    const flush = () => {
      if (pending) actions.push({ type: 'input', data: Buffer.from(pending, 'latin1') });
      pending = '';
    };
    let index = 0;
    while (index < text.length) {
      const key = this.nextKey(text, index);
      index += key.length;
      if (this.armed) {
        this.armed = false;
        if (this.isPrefix(key)) pending += key;
        else if (key === 'd' || this.detachCsiU.test(key)) {
          flush();
          actions.push({ type: 'detach' });
          return actions;
        }
        // Any other key after the prefix is not bound: swallow it, as tmux does.
        continue;
      }
      if (this.isPrefix(key)) {
        this.armed = true;
        continue;
      }
      pending += key;
    }
    flush();
    return actions;
  }

  private isPrefix(key: string): boolean {
    return key === this.legacy || this.csiU.test(key);
  }

  /** One key: a CSI-u sequence when one starts here, else a single byte (UTF-8 bytes pass through). */
  private nextKey(text: string, index: number): string {
    if (text[index] === ESC && text[index + 1] === '[') {
      const match = /^\x1b\[[0-9;:]*u/.exec(text.slice(index, index + 32));
      if (match) return match[0];
    }
    return text[index]!;
  }
}
