// Seeded terminal torture: random bytes, invalid UTF-8 and hostile escape sequences for the screen mirror.
import { Random } from './fuzz';

const ESC = '\x1b';

/** Sequences known to be expensive or odd for a terminal emulator. */
function hostileSequence(random: Random): string {
  const n = () => String(random.pick([0, 1, 2, 65535, 99999, 2147483647, 4294967296, 999999999999]));
  switch (random.int(0, 21)) {
    case 0:
      return `${ESC}[${n()}b`; // REP: repeat the last character n times
    case 1:
      return `${ESC}[${n()};${n()}H`;
    case 2:
      return `${ESC}[8;${n()};${n()}t`; // window resize request
    case 3:
      return `${ESC}[${n()}L${ESC}[${n()}M${ESC}[${n()}@${ESC}[${n()}P`;
    case 4:
      return `${ESC}[?1049h${ESC}[?47h${ESC}[?1049l${ESC}[?1047h`;
    case 5:
      return `${ESC}]0;${'T'.repeat(random.int(0, 20_000))}\x07`; // a long title
    case 6:
      return `${ESC}]${random.int(0, 2000)};${random.bytes(random.int(0, 300)).toString('latin1')}`; // unterminated OSC
    case 7:
      return `${ESC}P${'q#0;2;0;0;0#0!999~'.repeat(random.int(1, 50))}${ESC}\\`; // DCS (sixel-like)
    case 8:
      return `${ESC}[${Array.from({ length: random.int(1, 300) }, () => n()).join(';')}m`; // many SGR params
    case 9:
      return `${ESC}#8`; // DECALN: fill the screen with E
    case 10:
      return `${ESC}[${n()};${n()}r${ESC}[?6h`; // scroll region + origin mode
    case 11:
      return `${ESC}[=${n()};${n()}u${ESC}[>${n()}u${ESC}[<${n()}u`; // kitty keyboard flags
    case 12:
      return `${ESC}]7501;${random.bytes(20).toString('hex')}\x07${ESC}]9;${'n'.repeat(random.int(0, 5000))}\x07`;
    case 13:
      return `${ESC}]777;notify;${random.bytes(8).toString('hex')};body\x07${ESC}]99;;x${ESC}\\`;
    case 14:
      return `${ESC}[${n()}S${ESC}[${n()}T${ESC}[${n()}X${ESC}[${n()}J${ESC}[${n()}K`;
    case 15:
      return `${ESC}(0${ESC})B${ESC}*A${ESC}+<\x0e\x0f`; // charsets
    case 16:
      return `${ESC}[?${n()}h${ESC}[?${n()}l${ESC}[${n()} q`;
    case 17:
      return `${ESC}[${n()}I${ESC}[${n()}Z${ESC}H${ESC}[3g`; // tabs
    case 18:
      return '\x07'.repeat(random.int(1, 50)); // bells
    case 19:
      return `${ESC}[?2004h${ESC}[200~${ESC}[201~${ESC}[?1000h${ESC}[?1006h${ESC}[?1015h`;
    case 20:
      return `${ESC}c`; // full reset
    default:
      return `${ESC}_${random.bytes(random.int(0, 100)).toString('latin1')}${ESC}\\`; // APC
  }
}

/** About `bytes` of torture: printable text, invalid UTF-8, raw random bytes and hostile sequences, mixed. */
export function tortureBytes(seed: number, bytes: number): Buffer {
  const random = new Random(seed);
  const parts: Buffer[] = [];
  let total = 0;
  while (total < bytes) {
    let part: Buffer;
    switch (random.int(0, 5)) {
      case 0:
        part = random.bytes(random.int(1, 2000));
        break;
      case 1:
        // Invalid UTF-8: lone continuation bytes, overlongs, surrogates, cut sequences.
        part = Buffer.from(random.pick([[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff, 0xfe], [0xf0, 0x9f, 0x98]]));
        break;
      case 2:
        part = Buffer.from(`wide 你好 🎉 e\u0301 ${'x'.repeat(random.int(0, 300))}\r\n`);
        break;
      default:
        part = Buffer.from(hostileSequence(random), 'latin1');
    }
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts);
}
