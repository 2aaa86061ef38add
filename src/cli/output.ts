/**
 * How commands print: aligned tables and `key: value` blocks for people, JSON for scripts
 * (`--json`: the server's body as it came, pretty-printed, on stdout and nothing else there).
 */
import type { CliContext } from './run.ts';

type Output = Pick<CliContext, 'out'>;

export type Column<T> = [title: string, cell: (item: T) => string];

export function printTable<T>(items: readonly T[], columns: ReadonlyArray<Column<T>>, io: Output): void {
  const rows = [columns.map(([title]) => title), ...items.map((item) => columns.map(([, cell]) => cell(item)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    io.out(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

export const printJson = (value: unknown, io: Output): void => io.out(JSON.stringify(value, null, 2));

/** A value as a table cell or a `key: value` line: lists comma-joined, nothing as an empty cell. */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One object as aligned `key: value` lines, in its own key order. */
export function printFields(value: Record<string, unknown>, io: Output): void {
  const keys = Object.keys(value);
  const width = Math.max(0, ...keys.map((key) => key.length));
  for (const key of keys) io.out(`${`${key}:`.padEnd(width + 1)} ${cell(value[key])}`.trimEnd());
}
