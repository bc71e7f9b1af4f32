/**
 * What every mail template shares: HTML escaping, the link builder and the HTML frame. Every value a template
 * interpolates goes through `escapeHtml` (HTML body) or `encodeURIComponent` (query strings); subjects are kept
 * on one line.
 */

/** What templates know about the server: its public URL (DOMAIN, with its base path) and its name. */
export interface MailContext {
  /** DOMAIN without trailing slash, e.g. https://vault.example.com/vault */
  publicUrl: string;
  /** Shown as the sender of the invitation ("… on Vaultwave"). */
  productName: string;
}

/** One mail as it is sent: subject, plain-text and HTML alternatives. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A subject is one header line: line breaks and other control characters become spaces. */
export function subjectLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * A web-vault link: `{publicUrl}/#/{route}?{query}` (the web vault routes inside the fragment, so the query
 * follows the route). Every value is percent-encoded.
 */
export function webVaultLink(context: MailContext, route: string, query: ReadonlyArray<readonly [string, string]>): string {
  const search = query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  return `${context.publicUrl}/#/${route}${search ? `?${search}` : ''}`;
}

/** "Saturday, 5 December 2026 at 14:30 UTC". */
export function utcDate(date: Date): string {
  const day = date.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day} at ${time} UTC`;
}

/**
 * The HTML frame around a body: `title` and `footer` are plain text (escaped here); `bodyHtml` is already HTML,
 * built by the template from escaped values.
 */
export function htmlDocument(context: MailContext, title: string, bodyHtml: string): string {
  const product = escapeHtml(context.productName);
  const server = escapeHtml(context.publicUrl);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f6f9;font-family:Helvetica,Arial,sans-serif;color:#333;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f6f9;padding:24px 0;"><tr><td align="center">',
    '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border:1px solid #e1e4e8;border-radius:6px;">',
    `<tr><td style="background:#175ddc;color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold;border-radius:6px 6px 0 0;">${product}</td></tr>`,
    `<tr><td style="padding:24px;font-size:16px;line-height:1.5;">${bodyHtml}</td></tr>`,
    `<tr><td style="padding:16px 24px;font-size:12px;color:#777;border-top:1px solid #e1e4e8;">${product} &middot; ${server}</td></tr>`,
    '</table></td></tr></table>',
    '</body></html>',
  ].join('\n');
}

/** A button-styled link (`href` is escaped here). */
export function htmlButton(href: string, label: string): string {
  return `<a href="${escapeHtml(href)}" style="display:inline-block;background:#175ddc;color:#ffffff;text-decoration:none;padding:10px 20px;border-radius:4px;font-weight:bold;">${escapeHtml(label)}</a>`;
}
