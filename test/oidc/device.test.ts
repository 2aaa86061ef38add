/** The device authorization grant (RFC 8628): a TV asks, a person confirms in a browser. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { discover } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

function formFields(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[match[1] as string] = match[2] as string;
  return fields;
}

function formAction(html: string, formId: string): string {
  return (
    new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*action="([^"]+)"`).exec(html)?.[1] ??
    (new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${formId.replace('.', '\\.')}"`).exec(html)?.[1] as string)
  );
}

describe('device flow', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('signs a device in after the person confirms the code', async () => {
    const tv = await discover(server.url, 'tv');
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    const browser = new Browserless(server.url);

    const input = await browser.follow(device.verification_uri);
    let html = await input.response.text();
    assert.match(html, /Enter the code shown on your device/);
    const entered = await browser.postForm(formAction(html, 'op.deviceInputForm'), {
      ...formFields(html, 'op.deviceInputForm'),
      user_code: device.user_code,
    });
    html = await entered.text();
    assert.match(html, /Living Room TV/);
    assert.match(html, new RegExp(device.user_code));
    const confirmed = await browser.postForm(formAction(html, 'op.deviceConfirmForm'), formFields(html, 'op.deviceConfirmForm'));
    assert.equal(confirmed.status, 303);
    // Sign in and consent; the interaction ends on our own success page, not at a client.
    const done = await browser.authorizeUntilPage(confirmed.headers.get('location') as string, 'alice', PASSWORD);
    assert.match(done, /Device connected/);

    const tokens = await oidc.pollDeviceAuthorizationGrant(tv, device);
    assert.ok(tokens.claims()?.sub);
    assert.equal(tokens.claims()?.aud, 'tv');
  });

  it('refuses a wrong user code with a clear page', async () => {
    const browser = new Browserless(server.url);
    const input = await browser.follow(`${server.url}/device`);
    const html = await input.response.text();
    const response = await browser.postForm(formAction(html, 'op.deviceInputForm'), {
      ...formFields(html, 'op.deviceInputForm'),
      user_code: 'WRONG-CODE',
    });
    assert.ok(response.status >= 400 && response.status < 500);
    assert.match(await response.text(), /not valid or has expired/);
  });
});
