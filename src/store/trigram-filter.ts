// A Bloom filter of the byte trigrams in a text-index block, so that search can skip the blocks a literal
// cannot occur in without decompressing them.
//
// Trigrams are taken over the UTF-8 bytes with ASCII letters folded to lower case, two bits per trigram.
// The filter is built at its largest size, then folded (halves OR-ed together, which keeps every bit a
// trigram set, since bits are picked by the hash's low bits) to about 4 bits per distinct trigram: a false
// positive rate near 12 % per trigram, so a pattern of 5+ trigrams passes well under 1 % of the blocks it
// is not in. Sizes are powers of two from 64 bytes to 8 KiB: ~3 % of the text for typical logs.

const LARGEST_BITS = 65536; // = 2^16: bit positions are 16-bit hashes
const SMALLEST_BITS = 512;
const BITS_PER_TRIGRAM = 4;

/** ASCII upper-case letters to lower case, every other byte as it is. */
const FOLD = Uint8Array.from({ length: 256 }, (_, byte) => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte));

/** The trigram's two bit positions (16 bits each), from one multiplicative hash and a remix of it. */
function firstHash(trigram: number): number {
  return Math.imul(trigram, 0x9e3779b1) >>> 16;
}

function secondHash(trigram: number): number {
  const hash = Math.imul(trigram, 0x9e3779b1);
  return Math.imul(hash ^ (hash >>> 15), 0x85ebca77) >>> 16;
}

export function buildTrigramFilter(text: Uint8Array): Buffer {
  const full = Buffer.alloc(LARGEST_BITS / 8);
  const mask = LARGEST_BITS - 1;
  if (text.length >= 3) {
    let trigram = (FOLD[text[0]!]! << 8) | FOLD[text[1]!]!;
    for (let index = 2; index < text.length; index++) {
      trigram = ((trigram << 8) | FOLD[text[index]!]!) & 0xffffff;
      // firstHash and secondHash, inlined: this loop runs for every byte of the text index.
      const hash = Math.imul(trigram, 0x9e3779b1);
      const first = (hash >>> 16) & mask;
      const second = (Math.imul(hash ^ (hash >>> 15), 0x85ebca77) >>> 16) & mask;
      full[first >>> 3]! |= 1 << (first & 7);
      full[second >>> 3]! |= 1 << (second & 7);
    }
  }
  // Distinct trigrams, estimated from how full the filter is (the standard Bloom estimate, k = 2).
  let set = 0;
  for (const byte of full) set += BIT_COUNT[byte]!;
  const distinct = set >= LARGEST_BITS ? Infinity : (-LARGEST_BITS / 2) * Math.log(1 - set / LARGEST_BITS);
  let bits = LARGEST_BITS;
  while (bits > SMALLEST_BITS && bits / 2 >= distinct * BITS_PER_TRIGRAM) bits /= 2;
  const filter = Buffer.from(full.subarray(0, bits / 8));
  for (let at = bits / 8; at < full.length; at += bits / 8) {
    for (let index = 0; index < bits / 8; index++) filter[index]! |= full[at + index]!;
  }
  return filter;
}

/**
 * The trigrams a block must hold for `pattern` to occur in it, or undefined when the filter cannot tell (a
 * pattern under 3 bytes). Case-blind: only trigrams of ASCII bytes, whose case the filter folds too.
 */
export function patternTrigrams(pattern: string, ignoreCase: boolean): number[] | undefined {
  const bytes = Buffer.from(pattern, 'utf8');
  const trigrams = new Set<number>();
  for (let index = 2; index < bytes.length; index++) {
    const [a, b, c] = [bytes[index - 2]!, bytes[index - 1]!, bytes[index]!];
    if (ignoreCase && (a | b | c) >= 0x80) continue;
    trigrams.add((FOLD[a]! << 16) | (FOLD[b]! << 8) | FOLD[c]!);
  }
  return trigrams.size ? [...trigrams] : undefined;
}

export function filterMayContain(filter: Uint8Array, trigrams: number[]): boolean {
  const mask = filter.length * 8 - 1;
  for (const trigram of trigrams) {
    const first = firstHash(trigram) & mask;
    const second = secondHash(trigram) & mask;
    if (!(filter[first >>> 3]! & (1 << (first & 7))) || !(filter[second >>> 3]! & (1 << (second & 7)))) return false;
  }
  return true;
}

const BIT_COUNT = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let bits = byte; bits; bits &= bits - 1) count++;
  return count;
});
