/**
 * The notices a person receives when an administrator changes their sign-in: plain text, and
 * the same words in simple HTML (escaped; no images, no links, nothing to click that a phisher
 * could imitate — the notice tells them what happened and what to do).
 */
import type { AccountRecord } from '../storage/port.ts';

export type NoticeKind = 'mfa_reset' | 'password_set';

interface Notice {
  subject: string;
  paragraphs: string[];
}

const IF_NOT_YOU = 'If you did not ask for this, contact your administrator or help desk straight away.';

const NOTICES: Record<NoticeKind, (who: string) => Notice> = {
  mfa_reset: (who) => ({
    subject: 'Your two-step verification was reset',
    paragraphs: [
      `Hello ${who},`,
      'An administrator removed the second factors of your account (authenticator app and backup codes). Your next sign-in asks only for your password; set up two-step verification again from your account page.',
      IF_NOT_YOU,
    ],
  }),
  password_set: (who) => ({
    subject: 'An administrator set a new password for your account',
    paragraphs: [
      `Hello ${who},`,
      'An administrator set a new password for your account. Your old password no longer works; use the new one you were given.',
      IF_NOT_YOU,
    ],
  }),
};

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

export function accountNotice(account: Pick<AccountRecord, 'username' | 'name'>, kind: NoticeKind, issuerHost: string) {
  const who = account.name ?? account.username;
  const { subject, paragraphs } = NOTICES[kind](who);
  const footer = `This message was sent by ${issuerHost} about the account ${account.username}.`;
  return {
    subject,
    text: `${[...paragraphs, footer].join('\n\n')}\n`,
    html: `<!doctype html><html><body>${[...paragraphs, footer].map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
  };
}
