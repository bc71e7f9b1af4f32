import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig, loadConfig } from '../config/app-config';
import { configProblems as problemsOf } from '../../test/unit/support/config-problems';
import { smtpTransportOptions } from './mail-sender';

const base = { DATA_FOLDER: '/tmp/vault-mail-config-spec' };
const smtp = { ...base, SMTP_HOST: 'smtp.example.com', SMTP_FROM: 'vault@example.com' };
const PASSWORD = 'smtp-secret-Pa55';

describe('mail configuration (Vaultwarden names and rules)', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'vault-mail-config-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is off without SMTP_HOST or USE_SENDMAIL; invitations last 120 hours', () => {
    const { config, warnings } = loadConfig(base);
    expect(config.mail).toEqual({
      enabled: false, transport: null, smtp: null, sendmailCommand: null, from: '', fromName: 'Vaultwave', retryBaseMs: 5000, retryMaxMs: 900_000,
    });
    expect(config.invitationExpirationHours).toBe(120);
    expect(warnings).toEqual([]);
    expect(describeConfig(config).mail).toEqual({ enabled: false });
  });

  it('SMTP_HOST with SMTP_FROM: on, starttls on 587, 15 s timeout, certificate and host name checked, product name as sender name', () => {
    const { config } = loadConfig(smtp);
    expect(config.mail).toMatchObject({ enabled: true, transport: 'smtp', from: 'vault@example.com', fromName: 'Vaultwave' });
    expect(config.mail.smtp).toEqual({
      host: 'smtp.example.com', port: 587, security: 'starttls', username: null, password: null, authMechanisms: [], timeoutMs: 15_000,
      acceptInvalidCerts: false, acceptInvalidHostnames: false, heloName: null,
    });
  });

  it('the port follows SMTP_SECURITY unless set', () => {
    expect(loadConfig({ ...smtp, SMTP_SECURITY: 'force_tls' }).config.mail.smtp?.port).toBe(465);
    expect(loadConfig({ ...smtp, SMTP_SECURITY: 'OFF' }).config.mail.smtp).toMatchObject({ port: 25, security: 'off' });
    expect(loadConfig({ ...smtp, SMTP_SECURITY: 'starttls' }).config.mail.smtp?.port).toBe(587);
    expect(loadConfig({ ...smtp, SMTP_SECURITY: 'force_tls', SMTP_PORT: '2465' }).config.mail.smtp?.port).toBe(2465);
  });

  it('start-up errors name the variable: host without sender, sender without host, login without password and back, bad values', () => {
    expect(problemsOf({ ...base, SMTP_HOST: 'smtp.example.com' })).toEqual([expect.stringMatching(/^SMTP_FROM: required when SMTP_HOST is set/)]);
    expect(problemsOf({ ...base, SMTP_FROM: 'vault@example.com' })).toEqual([expect.stringMatching(/^SMTP_HOST: required when SMTP_FROM is set/)]);
    expect(problemsOf({ ...smtp, SMTP_USERNAME: 'vault' })).toEqual([expect.stringMatching(/^SMTP_PASSWORD: required when SMTP_USERNAME is set/)]);
    expect(problemsOf({ ...smtp, SMTP_PASSWORD: PASSWORD })).toEqual([expect.stringMatching(/^SMTP_USERNAME: required when SMTP_PASSWORD is set/)]);
    expect(problemsOf({ ...smtp, SMTP_FROM: 'not an address' })).toEqual([expect.stringMatching(/^SMTP_FROM: "not an address" is not an email address/)]);
    expect(problemsOf({ ...smtp, SMTP_HOST: 'smtps://smtp.example.com' })).toEqual([expect.stringMatching(/^SMTP_HOST: .* without scheme/)]);
    expect(problemsOf({ ...smtp, SMTP_SECURITY: 'ssl' })).toEqual([expect.stringMatching(/^SMTP_SECURITY: "ssl" is not accepted; expected one of starttls, force_tls, off/)]);
    expect(problemsOf({ ...smtp, SMTP_PORT: '70000' })).toEqual([expect.stringMatching(/^SMTP_PORT: 70000 is out of range/)]);
    expect(problemsOf({ ...smtp, SMTP_AUTH_MECHANISM: 'Plain,CRAM-MD5' })).toEqual([expect.stringMatching(/^SMTP_AUTH_MECHANISM: "CRAM-MD5" is not supported/)]);
    expect(problemsOf({ ...smtp, SMTP_TIMEOUT: '0' })).toEqual([expect.stringMatching(/^SMTP_TIMEOUT: 0 is out of range/)]);
    expect(problemsOf({ ...base, INVITATION_EXPIRATION_HOURS: '0' })).toEqual([expect.stringMatching(/^INVITATION_EXPIRATION_HOURS: 0 is out of range/)]);
    // No problem message ever repeats the password.
    for (const problem of problemsOf({ ...smtp, SMTP_PASSWORD: PASSWORD, SMTP_SECURITY: 'bad' })) expect(problem).not.toContain(PASSWORD);
  });

  it('login: SMTP_PASSWORD or SMTP_PASSWORD_FILE; mechanisms in order, any case; diagnostics mask the credentials', () => {
    const file = join(folder, 'smtp-password');
    writeFileSync(file, `${PASSWORD}\n`);
    const { config } = loadConfig({ ...smtp, SMTP_USERNAME: 'vault', SMTP_PASSWORD_FILE: file, SMTP_AUTH_MECHANISM: '"login", Plain ,LOGIN' });
    expect(config.mail.smtp).toMatchObject({ username: 'vault', password: PASSWORD, authMechanisms: ['LOGIN', 'PLAIN'] });
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toContain(PASSWORD);
    expect(describeConfig(config).mail).toMatchObject({ enabled: true, transport: 'smtp', host: 'smtp.example.com', username: '***', password: '***' });
    expect(problemsOf({ ...smtp, SMTP_USERNAME: 'vault', SMTP_PASSWORD_FILE: join(folder, 'missing') })).toEqual(expect.arrayContaining([expect.stringMatching(/^SMTP_PASSWORD_FILE: cannot read/)]));
  });

  it('warns about dangerous settings and reads the deprecated SMTP_SSL / SMTP_EXPLICIT_TLS when SMTP_SECURITY is unset', () => {
    const { config, warnings } = loadConfig({ ...smtp, SMTP_ACCEPT_INVALID_CERTS: 'true', SMTP_ACCEPT_INVALID_HOSTNAMES: 'true', SMTP_EXPLICIT_TLS: 'true' });
    expect(config.mail.smtp).toMatchObject({ acceptInvalidCerts: true, acceptInvalidHostnames: true, security: 'force_tls', port: 465 });
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^SMTP_ACCEPT_INVALID_CERTS=true/), expect.stringMatching(/^SMTP_ACCEPT_INVALID_HOSTNAMES=true/), expect.stringMatching(/deprecated: read as SMTP_SECURITY=force_tls/),
    ]));
    expect(loadConfig({ ...smtp, SMTP_SSL: 'false' }).config.mail.smtp?.security).toBe('off');
    expect(loadConfig({ ...smtp, SMTP_SSL: 'false', SMTP_SECURITY: 'starttls' }).config.mail.smtp?.security).toBe('starttls');
    expect(loadConfig({ ...smtp, SMTP_SECURITY: 'off', SMTP_USERNAME: 'u', SMTP_PASSWORD: PASSWORD }).warnings).toEqual([expect.stringMatching(/unencrypted/)]);
    expect(loadConfig({ ...base, SMTP_HOSTNAME: 'x' }).warnings).toEqual([expect.stringMatching(/^SMTP_HOSTNAME is not a known variable; did you mean one of .*SMTP_HOST/)]);
  });

  it('USE_SENDMAIL: needs SMTP_FROM and an executable SENDMAIL_COMMAND (a path, or a name in PATH)', () => {
    const command = join(folder, 'fake-sendmail');
    writeFileSync(command, '#!/bin/sh\ncat > /dev/null\n');
    chmodSync(command, 0o755);
    expect(loadConfig({ ...base, USE_SENDMAIL: 'true', SMTP_FROM: 'vault@example.com', SENDMAIL_COMMAND: command }).config.mail).toMatchObject({
      enabled: true, transport: 'sendmail', smtp: null, sendmailCommand: command, from: 'vault@example.com',
    });
    expect(loadConfig({ ...base, USE_SENDMAIL: 'true', SMTP_FROM: 'vault@example.com', SENDMAIL_COMMAND: 'fake-sendmail', PATH: `/nonexistent:${folder}` }).config.mail.sendmailCommand).toBe(command);
    expect(problemsOf({ ...base, USE_SENDMAIL: 'true', SMTP_FROM: 'vault@example.com', SENDMAIL_COMMAND: join(folder, 'nope') })).toEqual([expect.stringMatching(/^SENDMAIL_COMMAND: ".*nope" is not an executable file/)]);
    expect(problemsOf({ ...base, USE_SENDMAIL: 'true', SMTP_FROM: 'vault@example.com', SENDMAIL_COMMAND: 'no-such-sendmail', PATH: folder })).toEqual([expect.stringMatching(/^SENDMAIL_COMMAND: "no-such-sendmail" was not found in PATH/)]);
    expect(problemsOf({ ...base, USE_SENDMAIL: 'true', SENDMAIL_COMMAND: command })).toEqual([expect.stringMatching(/^SMTP_FROM: required when USE_SENDMAIL=true/)]);
  });

  it('transport options: starttls never falls back to plain text, force_tls is TLS from the start, off never upgrades; timeouts and checks as configured', () => {
    const starttls = smtpTransportOptions(loadConfig({ ...smtp, SMTP_USERNAME: 'vault', SMTP_PASSWORD: PASSWORD, SMTP_AUTH_MECHANISM: 'Login', SMTP_TIMEOUT: '7', HELO_NAME: 'vault.example.com' }).config.mail);
    expect(starttls).toMatchObject({
      host: 'smtp.example.com', port: 587, secure: false, requireTLS: true, ignoreTLS: false, auth: { user: 'vault', pass: PASSWORD }, authMethod: 'LOGIN',
      name: 'vault.example.com', connectionTimeout: 7000, greetingTimeout: 7000, socketTimeout: 7000, logger: false, debug: false,
      tls: { rejectUnauthorized: true, servername: 'smtp.example.com' },
    });
    expect(starttls.tls?.checkServerIdentity).toBeUndefined();
    expect(smtpTransportOptions(loadConfig({ ...smtp, SMTP_SECURITY: 'force_tls' }).config.mail)).toMatchObject({ secure: true, requireTLS: false, ignoreTLS: false, auth: undefined });
    expect(smtpTransportOptions(loadConfig({ ...smtp, SMTP_SECURITY: 'off' }).config.mail)).toMatchObject({ secure: false, requireTLS: false, ignoreTLS: true });
    const lax = smtpTransportOptions(loadConfig({ ...smtp, SMTP_HOST: '127.0.0.1', SMTP_ACCEPT_INVALID_CERTS: 'true', SMTP_ACCEPT_INVALID_HOSTNAMES: 'true' }).config.mail);
    expect(lax.tls).toMatchObject({ rejectUnauthorized: false, servername: undefined });
    expect(typeof lax.tls?.checkServerIdentity).toBe('function');
    expect(smtpTransportOptions(loadConfig({ ...smtp, SMTP_USERNAME: 'me@example.com', SMTP_PASSWORD: 'access-token', SMTP_AUTH_MECHANISM: 'Xoauth2' }).config.mail).auth)
      .toEqual({ type: 'OAuth2', user: 'me@example.com', accessToken: 'access-token' });
  });
});
