// Times on the replay command line (90, 90s, 1m30s, 1:30) and on its status line (1:30.0).
import { CcmuxError } from '../../errors';

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const UNITS = new RegExp(`^(?:(${NUMBER})h)?(?:(${NUMBER})m)?(?:(${NUMBER})s)?$`);
const CLOCK = new RegExp(`^(?:(\\d+):)?(\\d+):(${NUMBER})$`);

/** Milliseconds from `90`, `90s`, `1.5`, `1m30s`, `2h`, `1:30` or `1:02:03`; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (new RegExp(`^${NUMBER}$`).test(trimmed)) return Number(trimmed) * 1000;
  const clock = CLOCK.exec(trimmed);
  if (clock) return ((Number(clock[1] ?? 0) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1000;
  const units = UNITS.exec(trimmed);
  if (units && (units[1] ?? units[2] ?? units[3]) !== undefined) {
    return ((Number(units[1] ?? 0) * 60 + Number(units[2] ?? 0)) * 60 + Number(units[3] ?? 0)) * 1000;
  }
  return undefined;
}

/** `parseDuration` for a flag: a usage error names the flag and the accepted forms. */
export function durationOption(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new CcmuxError('usage', `${flag} expects a time from the session start: 90, 90s, 1m30s or 1:30 (got "${text}")`);
  return ms;
}

/** `m:ss.d`, or `h:mm:ss.d` from an hour on. */
export function formatClock(ms: number): string {
  const tenths = Math.max(0, Math.floor(ms / 100));
  const seconds = Math.floor(tenths / 10);
  const fraction = `${String(seconds % 60).padStart(2, '0')}.${tenths % 10}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}:${fraction}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${fraction}`;
}
