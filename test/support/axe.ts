/**
 * The automated accessibility check (axe-core) of a page open in Chromium.
 *
 * How axe gets in: the pages' CSP is `script-src 'self'`, and page.addScriptTag({ content })
 * inserts an inline <script>, which Chromium refuses under that policy ("Executing inline script
 * violates … script-src 'self'"; tried on /password/forgot). page.evaluate(source) runs through
 * the DevTools protocol, which the page's CSP does not govern, so axe is evaluated that way and
 * the check runs with the page's own CSP in force: no `bypassCSP`, so what axe measures
 * (styles, images) is what a person's browser shows.
 *
 * What fails: every violation axe reports (WCAG 2.0–2.2 A/AA and its best practices) with impact
 * `serious` or `critical`, and — because our pages have none today and each is a one-line fix —
 * `moderate` ones too. `minor` ones are listed in the message of a failure, not failed on.
 * Each page is checked in the light and the dark colour scheme (the CSS has both), so a
 * contrast problem in either fails.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';
const FAILING: ReadonlySet<Impact> = new Set(['moderate', 'serious', 'critical']);

export interface Violation {
  id: string;
  impact: Impact;
  help: string;
  /** Where: the CSS selector of each offending element and the first bit of its HTML. */
  nodes: string[];
}

interface AxeResult {
  violations: Array<{ id: string; impact: Impact | null; help: string; nodes: Array<{ target: unknown[]; html: string }> }>;
}

/** Runs axe on the page as it is now and returns every violation, in the given colour scheme. */
export async function axeViolations(page: Page, colorScheme: 'light' | 'dark' = 'light'): Promise<Violation[]> {
  await page.emulateMedia({ colorScheme });
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(() => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as AxeResult;
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? 'minor',
    help: violation.help,
    nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.html.slice(0, 120)}`),
  }));
}

const describeViolation = (v: Violation) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((node) => `      ${node}`).join('\n')}`;

/**
 * Fails (throws) when the page has a moderate, serious or critical violation in either colour
 * scheme; the message lists every violation found, minor ones included. Returns the minor ones.
 */
export async function assertAccessible(page: Page, what: string): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    for (const violation of await axeViolations(page, scheme)) {
      if (!found.some((seen) => seen.id === violation.id)) found.push({ ...violation, help: `${violation.help} (${scheme})` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const failing = found.filter((violation) => FAILING.has(violation.impact));
  if (failing.length > 0) {
    throw new Error(`${what} (${page.url()}) is not accessible:\n${found.map(describeViolation).join('\n')}`);
  }
  return found;
}
