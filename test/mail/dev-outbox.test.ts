/**
 * Without SMTP_URL outside production, mail is written as .eml files under DATA_DIR/outbox/ that
 * any mail client (here mailparser) can read, owner-only, and the link a mail carries is logged so
 * a developer can click it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { captureLogger } from '../support/log-capture.ts';
import { startServer } from '../support/server.ts';

describe('development outbox', () => {
  it('writes a parseable .eml under DATA_DIR/outbox/ and logs the link', async () => {
    const { logger, lines } = captureLogger('info');
    const server = await startServer({ options: { logger } });
    try {
      const link = `${server.url}/password/reset/dev-token-abcdefghijklmnopqrstuvwxyz`;
      await server.portcullis.mail.outbox.enqueue({
        to: 'dev@example.test',
        template: 'password-set',
        data: { who: 'Dev', username: 'dev' },
        link,
        accountId: 'acct-dev',
      });
      await server.portcullis.mail.worker.sweep();
      const dir = join(server.dataDir, 'outbox');
      const files = (await readdir(dir)).filter((name) => name.endsWith('.eml'));
      assert.equal(files.length, 1);
      const file = join(dir, files[0] as string);
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'owner-only');
      const mail = await simpleParser(await readFile(file));
      assert.equal(mail.subject, 'An administrator set a new password for your account');
      assert.equal(mail.from?.value[0]?.address, `no-reply@127.0.0.1`);
      assert.match(JSON.stringify(mail.to), /dev@example\.test/);
      assert.match(mail.text ?? '', /Hello Dev,/);
      assert.match(String(mail.html), /<p>Hello Dev,<\/p>/);
      const logged = lines.find((line) => line.msg === 'development outbox: the link in this mail');
      assert.equal(logged?.link, link);
      assert.equal(logged?.accountId, 'acct-dev');
      assert.deepEqual(await server.portcullis.store.outbox.list(), [], 'written, so done with');
    } finally {
      await server.close();
    }
  });
});
