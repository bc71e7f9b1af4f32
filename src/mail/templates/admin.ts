import { escapeHtml, htmlDocument, MailContext, RenderedMail, subjectLine } from './html';

/** The admin panel's test mail (Vaultwarden's smtp_test): proves the SMTP settings deliver. */
export type AdminTestParams = Record<string, never>;

export function adminTestMail(context: MailContext, _params: AdminTestParams): RenderedMail {
  const subject = subjectLine('Test mail from the admin panel');
  const text = 'This is a test mail sent from the admin panel. Mail from this server works.';
  return { subject, text, html: htmlDocument(context, subject, `<p>${escapeHtml(text)}</p>`) };
}
