// Builds the bundle once before the suites run (unless they target a prebuilt binary via CCMUX_BIN).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export default function setup(): void {
  if (process.env.CCMUX_BIN) return;
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
