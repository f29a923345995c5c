// Compression of stored records: zstd (level 3) where the runtime has it, gzip otherwise; the codec is
// written into every record so that either reader can tell.
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { CcmuxError } from '../errors';

export const enum Codec {
  None = 0,
  Zstd = 1,
  Gzip = 2,
}

type ZstdZlib = typeof zlib & {
  zstdCompress?: (data: Buffer, options: object, callback: (error: Error | null, result: Buffer) => void) => void;
  zstdCompressSync?: (data: Buffer, options: object) => Buffer;
  zstdDecompressSync?: (data: Buffer) => Buffer;
};
const z = zlib as ZstdZlib;
const hasZstd = typeof z.zstdCompress === 'function';

/** Measured on realistic logs (docs/PERFORMANCE.md): zstd 3 stores 0.24× at ~300 MB/s, gzip 1 0.26× at ~180 MB/s. */
export const DEFAULT_CODEC: Codec = hasZstd ? Codec.Zstd : Codec.Gzip;
const ZSTD_OPTIONS = hasZstd ? { params: { [(zlib.constants as Record<string, number>).ZSTD_c_compressionLevel!]: 3 } } : {};

const zstdCompress = hasZstd ? promisify(z.zstdCompress!) as (data: Buffer, options: object) => Promise<Buffer> : undefined;
const gzip = promisify(zlib.gzip);

/**
 * At most this many compressions run at once: each holds a compressor context of a few MB, and
 * a burst of output would otherwise start one per record (measured: 380 MB RSS for 100 MB of output).
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** Compresses off the JS thread (libuv's pool), a few at a time. */
export async function compress(codec: Codec, data: Buffer): Promise<Buffer> {
  if (codec === Codec.None) return data;
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await compressNow(codec, data);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function compressNow(codec: Codec, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Codec.Zstd:
      // Telling zstd the size lets it size its window and tables to the record, not to 2 MB.
      return zstdCompress!(data, { ...ZSTD_OPTIONS, pledgedSrcSize: data.length });
    case Codec.Gzip:
      return gzip(data, { level: 1 });
    case Codec.None:
      return Promise.resolve(data);
  }
}

export function compressSync(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case Codec.Zstd:
      return z.zstdCompressSync!(data, { ...ZSTD_OPTIONS, pledgedSrcSize: data.length });
    case Codec.Gzip:
      return zlib.gzipSync(data, { level: 1 });
    case Codec.None:
      return data;
  }
}

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Codec.Zstd:
      if (!hasZstd) throw new CcmuxError('unavailable', 'this recording is zstd-compressed; reading it needs Node 22.15 or newer (or the ccmux binary)');
      return z.zstdDecompressSync!(data);
    case Codec.Gzip:
      return zlib.gunzipSync(data);
    case Codec.None:
      return data;
    default:
      throw new CcmuxError('internal', `unknown compression codec ${codec} in the store`);
  }
}
