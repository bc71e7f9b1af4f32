// TEST CODE ONLY: a real SMTP server (nodemailer's smtp-server package) on a loopback address and a random port,
// for the mail tests. It can require STARTTLS (or speak TLS from the first byte) with the test certificates and
// require AUTH with one username and password; it records every mail it accepts (envelope, raw message, decoded
// subject and text/HTML parts); it can be stopped and started again on the same port to simulate an outage, and
// told to answer a command with a 4xx or 5xx reply.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SMTPServer, SMTPServerOptions, SMTPServerSession } from 'smtp-server';

const FIXTURES = resolve(__dirname, '../fixtures');

export type SmtpServerSecurity = 'starttls' | 'force_tls' | 'off';
/** Which certificate the server presents: `tls` (trusted by the tests through NODE_EXTRA_CA_CERTS) or `tls-ca` (signed by a CA nobody trusts). */
export type SmtpServerCertificate = 'tls' | 'tls-ca';

export interface TestSmtpServerOptions {
  /** starttls: STARTTLS offered and required before MAIL FROM; force_tls: TLS from the first byte; off: no TLS offered. Default starttls. */
  security?: SmtpServerSecurity;
  /** When set, AUTH (PLAIN or LOGIN) with exactly these credentials is required before MAIL FROM. */
  auth?: { username: string; password: string };
  certificate?: SmtpServerCertificate;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
}

/** A mail the server accepted. */
export interface ReceivedMail {
  at: number;
  envelopeFrom: string;
  envelopeTo: string[];
  /** Whether the session was encrypted, and who logged in. */
  secure: boolean;
  user: string | null;
  raw: string;
  headers: Map<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

/** One scripted refusal: the next `times` commands of that kind answer `code message` (times undefined: until cleared). */
export interface Refusal {
  command: 'MAIL' | 'RCPT' | 'DATA';
  code: number;
  message: string;
  times?: number;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Every AUTH attempt: username and whether it was accepted (never the password). */
  readonly authAttempts: Array<{ username: string; ok: boolean }> = [];
  /** Sessions opened (connections that reached the greeting). */
  connections = 0;
  private server: SMTPServer | null = null;
  private refusal: Refusal | null = null;
  private portNumber = 0;

  private constructor(private readonly options: Required<Omit<TestSmtpServerOptions, 'auth'>> & { auth: TestSmtpServerOptions['auth'] }) {}

  static async start(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
    const server = new TestSmtpServer({
      security: options.security ?? 'starttls',
      auth: options.auth,
      certificate: options.certificate ?? 'tls',
      host: options.host ?? '127.0.0.1',
    });
    await server.listen(0);
    return server;
  }

  get port(): number {
    return this.portNumber;
  }

  get host(): string {
    return this.options.host;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** The server's variables for createTestApp: this server, quick retries. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SMTP_HOST: this.options.host,
      SMTP_PORT: String(this.portNumber),
      SMTP_SECURITY: this.options.security,
      SMTP_FROM: 'vault@example.test',
      ...(this.options.auth ? { SMTP_USERNAME: this.options.auth.username, SMTP_PASSWORD: this.options.auth.password } : {}),
      SMTP_TIMEOUT: '5',
      MAIL_RETRY_BASE_MS: '200',
      MAIL_RETRY_MAX_SECONDS: '1',
      ...extra,
    };
  }

  /** Refuses commands as `refusal` says (null: accept everything again). */
  refuse(refusal: Refusal | null): void {
    this.refusal = refusal ? { ...refusal } : null;
  }

  /** An outage: stops listening and drops every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((done) => server.close(() => done()));
  }

  /** The end of an outage: listens again on the same port. */
  async resume(): Promise<void> {
    if (this.server) return;
    await this.listen(this.portNumber);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelopeTo.includes(address.toLowerCase()));
  }

  async waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`SMTP server: timed out waiting for ${what} (received ${this.received.length} mails)`);
      await new Promise((done) => setTimeout(done, 25));
    }
  }

  private listen(port: number): Promise<void> {
    const { security, auth, certificate } = this.options;
    const refuse = (command: Refusal['command']): Error | null => {
      const refusal = this.refusal;
      if (!refusal || refusal.command !== command) return null;
      if (refusal.times !== undefined) {
        refusal.times -= 1;
        if (refusal.times <= 0) this.refusal = null;
      }
      return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
    };
    const options: SMTPServerOptions = {
      secure: security === 'force_tls',
      key: readFileSync(resolve(FIXTURES, certificate, 'key.pem')),
      cert: readFileSync(resolve(FIXTURES, certificate, 'cert.pem')),
      disabledCommands: [...(security === 'off' ? ['STARTTLS'] : []), ...(auth ? [] : ['AUTH'])],
      authOptional: !auth,
      authMethods: ['PLAIN', 'LOGIN'],
      // AUTH is only offered once the session is encrypted, unless the server speaks no TLS at all.
      allowInsecureAuth: security === 'off',
      logger: false,
      closeTimeout: 50,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onAuth: (credentials, _session, callback) => {
        const ok = auth !== undefined && credentials.username === auth.username && credentials.password === auth.password;
        this.authAttempts.push({ username: credentials.username ?? '', ok });
        if (!ok) return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
        callback(null, { user: credentials.username });
      },
      onMailFrom: (_address, session, callback) => {
        if (security === 'starttls' && !session.secure) return callback(Object.assign(new Error('5.7.0 Must issue a STARTTLS command first'), { responseCode: 530 }));
        callback(refuse('MAIL'));
      },
      onRcptTo: (_address, _session, callback) => callback(refuse('RCPT')),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const refused = refuse('DATA');
          if (refused) return callback(refused);
          this.received.push(parseReceived(Buffer.concat(chunks).toString('utf8'), session));
          callback();
        });
      },
    };
    const server = new SMTPServer(options);
    server.on('error', () => undefined);
    return new Promise<void>((done, fail) => {
      const net = server.listen(port, this.options.host, () => {
        this.portNumber = (net.address() as AddressInfo).port;
        this.server = server;
        done();
      });
      net.once('error', fail);
    });
  }
}

function parseReceived(raw: string, session: SMTPServerSession): ReceivedMail {
  const { headers, body } = splitMessage(raw);
  const parts = leafParts(headers, body);
  return {
    at: Date.now(),
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    secure: session.secure,
    user: typeof session.user === 'string' ? session.user : null,
    raw,
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    messageId: headers.get('message-id') ?? '',
    text: parts.find((p) => p.type === 'text/plain')?.content ?? '',
    html: parts.find((p) => p.type === 'text/html')?.content ?? '',
  };
}

/** Headers (lower-case names, unfolded) and body of one MIME entity. */
function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The decoded non-multipart parts of an entity, depth first. */
function leafParts(headers: Map<string, string>, body: string): Array<{ type: string; content: string }> {
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    const sections = body.split(`--${boundary}`).slice(1);
    return sections.filter((s) => !s.startsWith('--')).flatMap((section) => {
      const part = splitMessage(section.replace(/^\n/, ''));
      return leafParts(part.headers, part.body);
    });
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'utf8');
  return [{ type, content: bytes.toString('utf8').replace(/\n$/, '') }];
}

function decodeQuotedPrintable(body: string): Buffer {
  const joined = body.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    const c = joined[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) in a header value. */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, data: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'));
}
