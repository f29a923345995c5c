// Types for payload.mjs (realistic terminal output generators).
export function logLines(seed?: number): Generator<string>;
export function logPayload(bytes: number, seed?: number): Buffer;
export function tuiPayload(bytes: number, seed?: number): Buffer;
