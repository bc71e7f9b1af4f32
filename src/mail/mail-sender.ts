import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { isIP } from 'node:net';
import nodemailer, { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type SendmailTransport from 'nodemailer/lib/sendmail-transport';
import { AppConfig, MailConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { classifyDeliveryError, DeliveryFailure } from './mail-retry';

/** One mail, as the transport takes it. */
export interface OutgoingMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export type SendOutcome =
  | { kind: 'sent'; accepted: number; rejected: number }
  | { kind: 'failed'; failure: DeliveryFailure };

/**
 * nodemailer options for an SMTP_* configuration (Vaultwarden's semantics): starttls = STARTTLS required
 * (never plain text), force_tls = TLS from the first byte, off = no encryption even when offered. Timeouts from
 * SMTP_TIMEOUT; certificate and host-name checks unless SMTP_ACCEPT_INVALID_* say otherwise. nodemailer's own
 * logging is off: it would print the conversation, which holds the login.
 */
export function smtpTransportOptions(mail: MailConfig): SMTPTransport.Options {
  const smtp = mail.smtp;
  if (!smtp) throw new Error('smtpTransportOptions: mail does not go through SMTP');
  const [preferred] = smtp.authMechanisms;
  let auth: SMTPTransport.Options['auth'];
  if (smtp.username !== null && smtp.password !== null) {
    auth = preferred === 'XOAUTH2' ? { type: 'OAuth2', user: smtp.username, accessToken: smtp.password } : { user: smtp.username, pass: smtp.password };
  }
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'force_tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'off',
    auth,
    authMethod: preferred === 'PLAIN' || preferred === 'LOGIN' ? preferred : undefined,
    name: smtp.heloName ?? undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    dnsTimeout: smtp.timeoutMs,
    tls: {
      rejectUnauthorized: !smtp.acceptInvalidCerts,
      // SNI needs a name, not an address.
      servername: isIP(smtp.host) === 0 ? smtp.host : undefined,
      ...(smtp.acceptInvalidHostnames ? { checkServerIdentity: () => undefined } : {}),
      minVersion: 'TLSv1.2',
    },
    logger: false,
    debug: false,
  };
}

function sendmailTransportOptions(mail: MailConfig): SendmailTransport.Options {
  return { sendmail: true, path: mail.sendmailCommand ?? 'sendmail', newline: 'unix' };
}

/** Hands one mail to the SMTP server or to sendmail; never throws, never logs (the worker decides both). */
@Injectable()
export class MailSender implements OnModuleDestroy {
  private readonly transport: Transporter;
  private readonly from: { name: string; address: string };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { mail } = config;
    this.transport = mail.transport === 'sendmail' ? nodemailer.createTransport(sendmailTransportOptions(mail)) : nodemailer.createTransport(smtpTransportOptions(mail));
    this.from = { name: mail.fromName, address: mail.from };
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    try {
      const info = (await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        // No X-Mailer header naming the library.
        xMailer: false,
      })) as { accepted?: unknown[]; rejected?: unknown[] };
      return { kind: 'sent', accepted: info.accepted?.length ?? message.to.length, rejected: info.rejected?.length ?? 0 };
    } catch (error) {
      return { kind: 'failed', failure: classifyDeliveryError(error) };
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
