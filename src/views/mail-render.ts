/**
 * Mail templates (ejs) in views/mail/: `<name>.text.ejs`, whose first line is `Subject: …` and
 * the rest the plain-text body, and `<name>.html.ejs`, the same words in simple HTML.
 */
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

const MAIL_VIEWS = fileURLToPath(new URL('./mail/', import.meta.url));

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export async function renderMail(template: string, locals: Record<string, unknown>): Promise<RenderedMail> {
  if (!/^[a-z][a-z0-9-]*$/.test(template)) throw new Error(`not a mail template name: ${template}`);
  const [textSource, html] = await Promise.all([
    ejs.renderFile(`${MAIL_VIEWS}${template}.text.ejs`, locals, { async: false }),
    ejs.renderFile(`${MAIL_VIEWS}${template}.html.ejs`, locals, { async: false }),
  ]);
  const match = /^Subject: ([^\r\n]+)\r?\n\r?\n?/.exec(textSource);
  if (!match?.[1]) throw new Error(`mail template ${template}.text.ejs must begin with a Subject: line`);
  return { subject: match[1].trim(), text: textSource.slice(match[0].length), html };
}
