// `CCMUX_SELFTEST=lmdb`: proves the build can load lmdb and its natives (one write and read in a temp env).
//
// Not a command: the single binary must carry lmdb before the store uses it, and only running code
// inside the binary proves that its natives unpack and load. The e2e suite runs it.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { CcmuxError } from '../errors';
import { loadNative } from '../native';

type Lmdb = typeof import('lmdb');

/** Prints one JSON line `{"lmdb":"ok","msgpackrNative":true}`; resolves with the exit status. */
export async function lmdbSelfTest(print: (text: string) => void): Promise<number> {
  const lmdb = loadNative('lmdb', () => require('lmdb') as Lmdb);
  // msgpackr (lmdb's encoder) loads msgpackr-extract's addon when it can, silently falling back to JS.
  const msgpackr = createRequire(require.resolve('lmdb'))('msgpackr') as { isNativeAccelerationEnabled: boolean };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmux-selftest-'));
  try {
    const db = lmdb.open<string, string>({ path: path.join(dir, 'db') });
    await db.put('key', 'value');
    const value = db.get('key');
    await db.close();
    if (value !== 'value') throw new CcmuxError('internal', `lmdb self-test read back ${JSON.stringify(value)}`);
    print(JSON.stringify({ lmdb: 'ok', msgpackrNative: msgpackr.isNativeAccelerationEnabled }));
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
