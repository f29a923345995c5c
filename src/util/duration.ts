// Durations as people type them: 90, 90s, 1m30s, 1:30, 2h, 7d, 1.5 (seconds).
import { CcmuxError } from '../errors';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in `text`; throws a usage error naming `what` when it is not a duration. */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(trimmed);
  if (clock) return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length && parts.map((part) => part[0]).join('') === trimmed) {
    return parts.reduce((total, part) => total + Number(part[1]) * UNITS[part[2]!]!, 0);
  }
  throw new CcmuxError('usage', `${what} expects a duration such as 90, 90s, 1m30s, 1:30, 2h or 7d, got "${text}"`);
}

/** Seconds as a short clock: 75 → "1:15", 3725 → "1:02:05". */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
