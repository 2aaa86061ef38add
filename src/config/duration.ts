/**
 * Durations in configuration are written the way operators think of them:
 * `90s`, `15m`, `12h`, `30d` (a bare number means seconds).
 */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(input: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(input.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = UNITS[match[2] || 's'] ?? 1;
  const seconds = value * unit;
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}
