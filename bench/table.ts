/** Rendering the results as one Markdown table (pasted as is into README.md § Benchmarks). */
export type Cell = string | number | undefined;

export function renderTable(header: string[], rows: Cell[][]): string {
  const text = (cell: Cell) => (cell === undefined ? '—' : String(cell));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map((row) => line(header.map((_, column) => text(row[column]))))].join('\n');
}

/** 1,234 · 56.7 · 3.21: three significant figures is all a noisy machine supports. */
export function rate(value: number | undefined): string | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function ms(p50: number | undefined, p99: number | undefined): string | undefined {
  if (p50 === undefined || p99 === undefined || !Number.isFinite(p50) || !Number.isFinite(p99)) return undefined;
  return `${Math.round(p50)} / ${Math.round(p99)}`;
}

export function mib(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function bytes(value: number | undefined): string | undefined {
  return value === undefined ? undefined : `${Math.round(value).toLocaleString('en-US')} B`;
}

export function ratio(numerator: number | undefined, denominator: number | undefined): string | undefined {
  if (numerator === undefined || denominator === undefined || !(denominator > 0)) return undefined;
  return `${(numerator / denominator).toFixed(2)}×`;
}
