/**
 * docs/configuration.md, rendered from schema.ts: one row per variable in declaration order.
 * `npm run docs:config` writes it; test/config/docs.test.ts fails when the file is stale.
 */
import { VARIABLES } from './schema.ts';

const HEADER = `# Configuration

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`; edit the schema, not this file. -->

Everything is read from the environment, once, by \`src/config/\`, which fails fast naming every
bad variable. Durations accept \`90s\`, \`15m\`, \`12h\`, \`30d\` (a bare number is seconds).

| variable | default | meaning |
|---|---|---|
`;

const FOOTER = `
Without \`COOKIE_KEYS\`/\`KEY_ENCRYPTION_KEYS\` outside production, keys are generated once into
\`DATA_DIR/dev-secrets.json\` (mode 0600) and a warning is logged.

The bootstrap file (\`BOOTSTRAP_FILE\`) is described in [operations.md](operations.md#the-bootstrap-file).
`;

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function configurationDoc(): string {
  const rows = Object.entries(VARIABLES).map(([name, entry]) => `| \`${name}\` | ${cell(entry.shown)} | ${cell(entry.doc)} |`);
  return `${HEADER}${rows.join('\n')}\n${FOOTER}`;
}
