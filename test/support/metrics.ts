/** Reading a Portcullis `/metrics` page the way Prometheus would: over HTTP, as text. */
import { execFile, spawnSync } from 'node:child_process';

export const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

export async function scrape(metricsUrl: string, token?: string): Promise<string> {
  const response = await fetch(metricsUrl, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (response.status !== 200) throw new Error(`scrape answered ${response.status}`);
  return response.text();
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    out.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include `labels`; 0 when there is none. */
export function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

export const hasPromtool = () => spawnSync('promtool', ['--version']).status === 0;

/** `promtool check metrics` over stdin: its exit code and every line it printed. */
export function promtoolCheck(text: string): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, lines });
    });
    child.stdin?.end(text);
  });
}
