/**
 * Every page with a form has a test that submits that form as rendered, in Chromium (issue 11
 * #19: a page shipped broken because its only tests posted a hand-built form the page never
 * sends). This reads src/views/*.ejs, finds each page with a form — a literal <form> or the form
 * oidc-provider hands us (`<%- form %>`) — and fails when a page is not listed below, when a form
 * action on the page is not listed, or when the listed test file does not exist, does not launch
 * Chromium, or never submits the action through `submits(page, action, click)` in
 * test/support/pages.ts (which also checks the click really POSTed there).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VIEWS = `${ROOT}src/views/`;

interface Coverage {
  /**
   * The test file, from the repository root, that submits this page's forms in Chromium; several
   * when the page is served from more than one place (each action must be named in one of them,
   * and each file must name one of the actions).
   */
  test: string | string[];
  /** Every action the page's forms post to, `:uid` for the interaction or session uid. */
  actions: string[];
}

const COVERED: Record<string, Coverage> = {
  // The passkey form (partials/passkey-form.ejs) is submitted by passkeys.js after the ceremony.
  'login.ejs': {
    test: ['test/interactions/login.browser.test.ts', 'test/interactions/passkeys.browser.test.ts'],
    actions: ['/interaction/:uid/login', '/interaction/:uid/abort', '/interaction/:uid/passkey'],
  },
  // Served for an admin's must_change mark and for a password found in a breach.
  'new-password.ejs': {
    test: ['test/interactions/must-change.browser.test.ts', 'test/interactions/breach-sign-in.browser.test.ts'],
    actions: ['/interaction/:uid/new-password', '/interaction/:uid/abort'],
  },
  'consent.ejs': { test: 'test/interactions/consent.browser.test.ts', actions: ['/interaction/:uid/confirm', '/interaction/:uid/abort'] },
  // oidc-provider renders these forms (user_code_form.js); their action is its code_verification route.
  'device-input.ejs': { test: 'test/oidc/device.browser.test.ts', actions: ['/device'] },
  'device-confirm.ejs': { test: 'test/oidc/device.browser.test.ts', actions: ['/device'] },
  // oidc-provider renders this form (end_session.js); its action is the end_session_confirm route.
  'logout.ejs': { test: 'test/oidc/logout.browser.test.ts', actions: ['/session/end/confirm'] },
  'password.ejs': { test: 'test/console/password.browser.test.ts', actions: ['/account/password'] },
  'sessions.ejs': { test: 'test/console/sessions.browser.test.ts', actions: ['/account/sessions/end', '/account/sessions/end-others'] },
  // The code form and the backup-code form both post to /mfa.
  'mfa.ejs': {
    test: ['test/interactions/mfa.browser.test.ts', 'test/interactions/passkeys.browser.test.ts'],
    actions: ['/interaction/:uid/mfa', '/interaction/:uid/abort', '/interaction/:uid/mfa/passkey'],
  },
  // Rendered for enrolment during sign-in (with a Cancel form) and on the account console (a Cancel link).
  'mfa-enrol.ejs': {
    test: ['test/interactions/mfa.browser.test.ts', 'test/console/mfa.browser.test.ts'],
    actions: ['/interaction/:uid/mfa/enrol', '/interaction/:uid/abort', '/account/mfa/enrol'],
  },
  'account-profile.ejs': { test: 'test/console/profile.browser.test.ts', actions: ['/account/profile', '/account/profile/email'] },
  'email-change-confirm.ejs': { test: 'test/console/profile.browser.test.ts', actions: ['/account/email/confirm/:token'] },
  'account-mfa.ejs': {
    test: ['test/console/mfa.browser.test.ts', 'test/interactions/passkeys.browser.test.ts'],
    actions: ['/account/mfa/backup-codes', '/account/mfa/remove', '/account/passkeys', '/account/passkeys/rename', '/account/passkeys/remove'],
  },
  'account-apps.ejs': { test: 'test/console/apps.browser.test.ts', actions: ['/account/apps/revoke'] },
  'account-activity.ejs': { test: 'test/console/apps.browser.test.ts', actions: ['/account/activity/not-me'] },
  // The self-service pages (src/self-service): reset by email and registration.
  'forgot-password.ejs': { test: 'test/self-service/pages.browser.test.ts', actions: ['/password/forgot'] },
  'reset-password.ejs': { test: 'test/self-service/pages.browser.test.ts', actions: ['/password/reset/:token'] },
  'signup.ejs': { test: 'test/self-service/pages.browser.test.ts', actions: ['/signup'] },
  'verify-email.ejs': { test: 'test/self-service/pages.browser.test.ts', actions: ['/email/verify/:token'] },
};

interface PageForms {
  /** Actions written in the template, with `<%= uid %>`-style parts as `:uid`. */
  literal: string[];
  /** Actions the template takes from a local (`action="<%= action %>"`) or oidc-provider's form. */
  dynamic: boolean;
}

function formsOf(view: string): PageForms | undefined {
  const html = readFileSync(`${VIEWS}${view}`, 'utf8');
  const providerForm = /<%-\s*form\s*%>/.test(html);
  if (!/<form\b/.test(html) && !providerForm) return undefined;
  const literal: string[] = [];
  let dynamic = providerForm;
  for (const [, action = ''] of html.matchAll(/<form\b[^>]*\baction="([^"]*)"/g)) {
    if (/^<%[=-][^%]*%>$/.test(action.trim())) dynamic = true;
    else literal.push(action.replace(/<%[=-]\s*([A-Za-z_.]+)\s*%>/g, (_all, name: string) => `:${name.split('.').pop()}`));
  }
  return { literal, dynamic };
}

/** True when the test presses a button through `submits(page, '<action>', …)`, which checks the POST. */
function submitsAction(source: string, action: string): boolean {
  const quoted = action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\bsubmits\\(\\s*\\w+\\s*,\\s*(['"])${quoted}\\1`).test(source);
}

function checkCoverage(view: string, forms: PageForms, coverage: Coverage): void {
  for (const action of forms.literal) {
    assert.ok(coverage.actions.includes(action), `${view} posts to ${action}, which its entry does not list`);
  }
  if (forms.dynamic) assert.ok(coverage.actions.length > 0, `${view} takes its form action from the server: list the actions it posts to`);
  const tests = typeof coverage.test === 'string' ? [coverage.test] : coverage.test;
  assert.ok(tests.length > 0, `${view} lists no browser test`);
  const sources = tests.map((test) => {
    const path = `${ROOT}${test}`;
    assert.ok(existsSync(path), `${test} (a browser test for ${view}) does not exist`);
    const source = readFileSync(path, 'utf8');
    assert.match(source, /launchBrowser\(|chromium\.launch\(/, `${test} does not drive Chromium`);
    assert.ok(
      coverage.actions.some((action) => submitsAction(source, action)),
      `${test} submits none of the actions of ${view}`,
    );
    return source;
  });
  for (const action of coverage.actions) {
    assert.ok(
      sources.some((source) => submitsAction(source, action)),
      `${tests.join(' or ')} never submits ${action} through submits(page, action, click) (a form of ${view})`,
    );
  }
}

const views = readdirSync(VIEWS)
  .filter((name) => name.endsWith('.ejs'))
  .sort();
const withForms = views.flatMap((view) => {
  const forms = formsOf(view);
  return forms ? [{ view, forms }] : [];
});

describe('every page with a form has a browser test that submits it as rendered', () => {
  it('finds the pages with forms (the scan itself works)', () => {
    const names = withForms.map(({ view }) => view);
    for (const known of ['login.ejs', 'consent.ejs', 'logout.ejs', 'device-input.ejs', 'sessions.ejs']) assert.ok(names.includes(known), known);
    assert.ok(!names.includes('error.ejs') && !names.includes('message.ejs'), 'pages without a form are not listed');
    assert.deepEqual(formsOf('login.ejs')?.literal, ['/interaction/:uid/login', '/interaction/:uid/abort']);
    assert.ok(submitsAction(`await submits(page, '/interaction/:uid/mfa', () => click());`, '/interaction/:uid/mfa'));
    assert.ok(!submitsAction(`await submits(page, '/interaction/:uid/mfa/enrol', () => click());`, '/interaction/:uid/mfa'), 'a longer action is not this one');
    assert.ok(
      !submitsAction(`const action = '/interaction/:uid/mfa'; await button.click();`, '/interaction/:uid/mfa'),
      'naming the action without submits() does not count',
    );
  });

  it('every page with a form is listed', () => {
    const unlisted = withForms.map(({ view }) => view).filter((view) => !COVERED[view]);
    assert.deepEqual(unlisted, [], 'add each page to COVERED with the browser test that submits its forms');
  });

  it('no listed page has lost its form or been removed', () => {
    const names = new Set(withForms.map(({ view }) => view));
    assert.deepEqual(
      Object.keys(COVERED).filter((view) => !names.has(view)),
      [],
    );
  });

  for (const { view, forms } of withForms) {
    const covered = COVERED[view];
    if (!covered) continue; // reported by 'every page with a form is listed'
    const tests = typeof covered.test === 'string' ? covered.test : covered.test.join(' and ');
    it(`${view}: ${tests} submits ${covered.actions.join(', ')}`, () => checkCoverage(view, forms, covered));
  }
});
