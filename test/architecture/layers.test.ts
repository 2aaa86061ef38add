/**
 * Layers point one way (ARCHITECTURE.md): the composition root wires edge folders (HTTP), which use
 * security/ (where error codes become statuses) and the domains, which use storage/, platform/ and
 * config/. This test reads every import in src/ and fails on an import that points up a layer, and
 * on any cycle between folders (domains may use each other, but never round in a circle), and
 * on Koa inside a domain: HTTP lives in the edge folders, security/ and the page renderer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');

/** Higher layers may import lower or equal ones; the order is the one in ARCHITECTURE.md. */
const LAYERS: Record<string, number> = {
  '.': 6, // app.ts, main.ts
  cli: 5,
  interactions: 4,
  // Prometheus metrics: subscribes to the audit bus, reads domain services, serves its own listener (no Koa).
  metrics: 4,
  'self-service': 4,
  console: 4,
  admin: 4,
  health: 4,
  security: 3,
  oidc: 2,
  accounts: 2,
  bootstrap: 2,
  passwords: 2,
  mfa: 2,
  lockout: 2,
  keys: 2,
  sessions: 2,
  audit: 2,
  mail: 2,
  rbac: 2,
  storage: 1,
  // Templates and the renderer: a leaf that imports nothing of ours (oidc renders the provider's pages).
  views: 0.75,
  platform: 0.5,
  config: 0,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '.';
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function edges(): Array<{ from: string; to: string; file: string }> {
  const out: Array<{ from: string; to: string; file: string }> = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) out.push({ from, to, file: relative(SRC, file) });
    }
  }
  return out;
}

test('every folder of src/ has a layer', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(
    folders.filter((f) => !(f in LAYERS)),
    [],
  );
});

test('no import points up a layer', () => {
  const upward = edges()
    .filter((e) => (LAYERS[e.to] ?? 99) > (LAYERS[e.from] ?? -1))
    .map((e) => `${e.file} → ${e.to}/`);
  assert.deepEqual(upward, []);
});

test('no cycle between folders', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)?.add(e.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  assert.deepEqual(cycles, []);
});

/** Where Koa may appear: the edge (routers), security/ (middleware) and the page renderer. */
const HTTP_FOLDERS = new Set(['.', 'interactions', 'console', 'admin', 'health', 'self-service', 'security', 'views']);
const ROUTER_FOLDERS = new Set(['.', 'interactions', 'console', 'admin', 'health', 'self-service']);

test('no domain, storage, platform or config module touches Koa, and only the edge has routers', () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const folder = folderOf(file);
    if (/from ['"]koa['"]/.test(text) && !HTTP_FOLDERS.has(folder)) offenders.push(`${relative(SRC, file)} imports koa`);
    if (/from ['"]@koa\/router['"]/.test(text) && !ROUTER_FOLDERS.has(folder)) offenders.push(`${relative(SRC, file)} imports @koa/router`);
  }
  assert.deepEqual(offenders, []);
});
