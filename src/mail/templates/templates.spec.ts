import { escapeHtml, subjectLine } from './html';
import { MAIL_TEMPLATES, renderMail } from './index';
import { orgInviteLink, OrgInviteParams } from './org-invite';

const context = { publicUrl: 'https://vault.example.com/base', productName: 'Vaultwave' };
const invite = (overrides: Partial<OrgInviteParams> = {}): OrgInviteParams => ({
  organizationId: '6f1d7d0e-9c59-4c5e-9f3a-2f0a7f6b1c01',
  organizationUserId: '0b8e2f9a-7a3c-4f7e-8d6b-5c4a3b2a1f00',
  email: 'new.user+tag@example.com',
  organizationName: 'Family & Friends',
  token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_',
  existingUser: false,
  expiresAt: new Date('2026-12-05T14:30:00Z'),
  ...overrides,
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a> ü`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; ü');
  });
});

describe('subjectLine', () => {
  it('keeps a subject on one header line', () => {
    expect(subjectLine('Join Evil\r\nBcc: victim@example.com\t ')).toBe('Join Evil Bcc: victim@example.com');
  });
});

describe('org-invite mail', () => {
  it('links to the web vault accept page under DOMAIN (with its base path), with the query the official server sends', () => {
    const link = orgInviteLink(context, invite());
    const [base, query] = link.split('?');
    expect(base).toBe('https://vault.example.com/base/#/accept-organization');
    expect([...new URLSearchParams(query)]).toEqual([
      ['organizationId', invite().organizationId],
      ['organizationUserId', invite().organizationUserId],
      ['email', 'new.user+tag@example.com'],
      ['organizationName', 'Family & Friends'],
      ['token', invite().token],
      ['initOrganization', 'False'],
      ['orgUserHasExistingUser', 'False'],
    ]);
    // Percent-encoded: a '+' in the address or '&' in the name cannot change the query.
    expect(query).toContain('email=new.user%2Btag%40example.com');
    expect(query).toContain('organizationName=Family%20%26%20Friends');
    expect(orgInviteLink(context, invite({ existingUser: true }))).toMatch(/&orgUserHasExistingUser=True$/);
    expect(orgInviteLink({ ...context, publicUrl: 'http://localhost:8000' }, invite())).toMatch(/^http:\/\/localhost:8000\/#\/accept-organization\?/);
  });

  it('renders subject, text and HTML; the text carries the link as is, the HTML escapes it', () => {
    const mail = renderMail('org-invite', context, invite());
    const link = orgInviteLink(context, invite());
    expect(mail.subject).toBe('Join Family & Friends');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('Family & Friends');
    expect(mail.text).toContain('valid until Saturday, 5 December 2026 at 14:30 UTC');
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
    expect(mail.html).not.toContain(`href="${link}"`);
    expect(mail.html).toContain('<strong>Family &amp; Friends</strong>');
    expect(mail.html).toContain('https://vault.example.com/base');
  });

  it('escapes every interpolated value in the HTML: an organization name cannot inject markup', () => {
    const name = `<script>alert("x")</script><img src=x onerror='y'>`;
    const mail = renderMail('org-invite', { ...context, productName: 'Vault<b>' }, invite({ organizationName: name, email: 'a"b<c>@example.com' }));
    expect(mail.html).not.toMatch(/<script|<img|onerror='|Vault<b>/);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;');
    expect(mail.html).toContain('Vault&lt;b&gt;');
    // Every attribute value is quoted and holds no raw quote or bracket.
    for (const [, value] of mail.html.matchAll(/href="([^"]*)"/g)) expect(value).not.toMatch(/[<>"']/);
    expect(mail.subject).toBe(`Join ${name}`);
  });

  it('every template renders with its own name registered', () => {
    expect(Object.keys(MAIL_TEMPLATES)).toEqual(expect.arrayContaining(['org-invite', 'two-factor-code', 'incomplete-two-factor-login', 'verify-email', 'register-verify-email', 'new-device-login', 'change-email']));
  });
});

describe('account mails', () => {
  it('verify-email links the web vault verify page with userId and token, percent-encoded', () => {
    const mail = renderMail('verify-email', context, { userId: 'u-1', token: 'a.b+c/d', welcome: false });
    expect(mail.subject).toBe('Verify Your Email');
    expect(mail.text).toContain('https://vault.example.com/base/#/verify-email?userId=u-1&token=a.b%2Bc%2Fd');
    expect(renderMail('verify-email', context, { userId: 'u', token: 't', welcome: true }).subject).toBe('Welcome to Vaultwave');
  });

  it('register-verify-email links finish-signup with email, token and fromEmail=true', () => {
    const mail = renderMail('register-verify-email', context, { email: 'a+b@example.com', token: 'tok' });
    expect(mail.text).toContain('https://vault.example.com/base/#/finish-signup?email=a%2Bb%40example.com&token=tok&fromEmail=true');
  });

  it('new-device-login shows date, IP, device name and type, escaped in the HTML', () => {
    const mail = renderMail('new-device-login', context, { loginTime: new Date('2026-12-05T14:30:00Z'), ip: '203.0.113.9', deviceName: 'firefox<b>', deviceType: 'FirefoxBrowser' });
    expect(mail.subject).toBe('New Device Logged In From Firefox<b>');
    expect(mail.text).toContain('Date: Saturday, 5 December 2026 at 14:30 UTC');
    expect(mail.text).toContain('IP address: 203.0.113.9');
    expect(mail.text).toContain('Device type: FirefoxBrowser');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('Firefox&lt;b&gt;');
  });

  it('change-email carries the code and its validity', () => {
    const mail = renderMail('change-email', context, { code: '012345', validMinutes: 10 });
    expect(mail.subject).toBe('Your Email Change');
    expect(mail.text).toMatch(/^012345$/m);
    expect(mail.text).toContain('valid for 10 minutes');
  });
});

describe('password-hint and delete-account mails', () => {
  it('the hint mail carries the hint as text and escaped in HTML, or says there is none', () => {
    const mail = renderMail('password-hint', context, { hint: '<b>door</b> & key' });
    expect(mail.subject).toBe('Your Master Password Hint');
    expect(mail.text).toContain('<b>door</b> & key');
    expect(mail.html).toContain('&lt;b&gt;door&lt;/b&gt; &amp; key');
    expect(mail.html).not.toContain('<b>door</b>');
    expect(renderMail('password-hint', context, { hint: null }).text).toContain('it has no hint');
  });

  it('the delete mail links to the web vault\'s verify-recover-delete page with user id, token and address', () => {
    const mail = renderMail('delete-account', context, { userId: 'u-1', email: 'a+b@example.com', token: 'tok.en' });
    const link = /(\S+\/#\/verify-recover-delete\?\S+)/.exec(mail.text)?.[1];
    expect(link?.split('?')[0]).toBe('https://vault.example.com/base/#/verify-recover-delete');
    expect([...new URLSearchParams(link!.split('?')[1])]).toEqual([['userId', 'u-1'], ['token', 'tok.en'], ['email', 'a+b@example.com']]);
  });
});
