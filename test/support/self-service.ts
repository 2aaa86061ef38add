/**
 * Driving the self-service pages over HTTP as a browser would (a cookie jar per browser, the
 * CSRF token read from the rendered form), and reading the links they mail.
 */
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { Browserless } from './browserless.ts';
import type { TestServer } from './server.ts';
import { type Inbox, linkIn } from './smtp.ts';

export const csrfIn = (html: string): string => {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(csrf, `a form with a CSRF token: ${html.slice(0, 300)}`);
  return csrf;
};

/** Opens `page` in a fresh browser (from `ip` when given, through X-Forwarded-For) and posts its form. */
export async function submitPage(server: TestServer, page: string, fields: Record<string, string>, ip?: string, browser?: Browserless): Promise<Response> {
  const client = browser ?? new Browserless(server.url, ip ? { 'x-forwarded-for': ip } : {});
  const shown = await client.request(page);
  assert.equal(shown.status, 200, `${page} is shown`);
  return client.postForm(page, { csrf: csrfIn(await shown.text()), ...fields });
}

/** Asks for a reset link and waits until the background work (lookup, mail) is done. */
export async function forgot(server: TestServer, identifier: string, ip: string): Promise<Response> {
  const response = await submitPage(server, '/password/forgot', { identifier }, ip);
  await server.portcullis.passwordReset?.idle();
  return response;
}

export const sentTo = (address: string) => (mail: ParsedMail) => (mail.to && !Array.isArray(mail.to) ? mail.to.text : '').includes(address);

export async function resetLinkFor(server: TestServer, inbox: Inbox, address: string): Promise<string> {
  const mail = await inbox.waitFor((m) => sentTo(address)(m) && linkIn(m, `${server.url}/password/reset/`) !== undefined);
  const link = linkIn(mail, `${server.url}/password/reset/`);
  assert.ok(link);
  return link.slice(server.url.length);
}

/**
 * Messages to `address` received so far. For "no mail was sent": wait for the background work,
 * then for a later mail to another address (a sentinel the caller triggers), then count.
 */
export const mailsTo = (inbox: Inbox, address: string) => inbox.messages.filter(sentTo(address)).length;
