// TEST CODE ONLY: a stand-in for Bitwarden's cloud push relay and its identity server (notifications.md §10),
// the one stand-in the test suite allows. HTTPS with the test certificate (trusted through NODE_EXTRA_CA_CERTS)
// on 127.0.0.1 and a random port. It enforces the documented contract, records every accepted request, and can
// be told to answer 401, 429 with Retry-After, 5xx, a scripted status, to hang, or to stream a huge body.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';

const CERT = resolve(__dirname, '../fixtures/tls/cert.pem');
const KEY = resolve(__dirname, '../fixtures/tls/key.pem');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOWER_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MICROS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export type RelayAction = 'register' | 'delete' | 'send';

/** A request the stand-in accepted (answered 200). */
export interface AcceptedRequest {
  at: number;
  action: RelayAction;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Every relay request that arrived, whatever the answer ('hung' when it was held open). */
export interface RelayAttempt { at: number; action: RelayAction | 'unknown'; status: number | 'hung' }
export interface TokenAttempt { at: number; status: number }

/** How the relay endpoints answer (the identity endpoint always follows the contract). */
export type RelayMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  /**
   * `status` with a body of `prefix` then filler, `bytes` long in all (endless when absent), written as fast as
   * the client takes it (back-pressure respected) until it ends or the client goes away.
   */
  | { kind: 'stream'; status: number; prefix?: string; bytes?: number };

/** A streamed answer: how many bytes were handed to the socket, and whether the client hung up before the end. */
export interface StreamedAnswer { status: number; total: number; written: number; closedByClient: boolean; closed: boolean }

/** The relay error body (bitwarden/server ErrorResponseModel). */
export function relayErrorBody(message: string, validationErrors: Record<string, string[]> | null = null): Record<string, unknown> {
  return { message, validationErrors, exceptionMessage: null, exceptionStackTrace: null, innerExceptionMessage: null, object: 'error' };
}

const PAYLOAD_KEYS: Record<number, string[]> = {
  0: ['id', 'userId', 'organizationId', 'collectionIds', 'revisionDate'],
  1: ['id', 'userId', 'organizationId', 'collectionIds', 'revisionDate'],
  2: ['id', 'userId', 'organizationId', 'collectionIds', 'revisionDate'],
  3: ['id', 'userId', 'revisionDate'],
  4: ['userId', 'date'],
  5: ['userId', 'date'],
  6: ['userId', 'date'],
  7: ['id', 'userId', 'revisionDate'],
  8: ['id', 'userId', 'revisionDate'],
  10: ['userId', 'date'],
  11: ['userId', 'date', 'reason'],
  12: ['id', 'userId', 'revisionDate'],
  13: ['id', 'userId', 'revisionDate'],
  14: ['id', 'userId', 'revisionDate'],
  15: ['userId', 'id'],
  16: ['userId', 'id'],
};

type Errors = Record<string, string[]>;
const add = (errors: Errors, field: string, message: string): void => {
  (errors[field] ??= []).push(message);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sameKeys = (value: Record<string, unknown>, keys: string[]): boolean =>
  Object.keys(value).length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(value, k));

export class RelayStandIn {
  readonly installationId: string;
  readonly installationKey: string;
  readonly accepted: AcceptedRequest[] = [];
  readonly attempts: RelayAttempt[] = [];
  readonly tokenRequests: TokenAttempt[] = [];
  readonly streamed: StreamedAnswer[] = [];
  /** Every access token issued (for the "never logged" check). */
  readonly issuedTokens: string[] = [];
  private readonly validTokens = new Set<string>();
  private mode: RelayMode = { kind: 'ok' };
  private readonly script: RelayMode[] = [];
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private tokenLifetime = 86400;

  private constructor(private readonly server: Server, readonly origin: string, installationId: string, installationKey: string) {
    this.installationId = installationId;
    this.installationKey = installationKey;
  }

  /** Starts the stand-in; the installation id and key are random unless given. */
  static async start(options: { installationId?: string; installationKey?: string } = {}): Promise<RelayStandIn> {
    const server = createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const standIn = new RelayStandIn(server, `https://127.0.0.1:${port}`, options.installationId ?? randomUUID(), options.installationKey ?? randomBytes(15).toString('base64url'));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      standIn.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.on('connection', (socket: Socket) => {
      standIn.sockets.add(socket);
      socket.on('close', () => standIn.sockets.delete(socket));
    });
    return standIn;
  }

  get identityUri(): string {
    return `${this.origin}/identity`;
  }

  get relayUri(): string {
    return `${this.origin}/relay`;
  }

  /** Server environment that points push at this stand-in (fast retries for tests; never durations to assert). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      PUSH_ENABLED: 'true',
      PUSH_INSTALLATION_ID: this.installationId,
      PUSH_INSTALLATION_KEY: this.installationKey,
      PUSH_RELAY_URI: this.relayUri,
      PUSH_IDENTITY_URI: this.identityUri,
      PUSH_RETRY_BASE_MS: '50',
      PUSH_RETRY_MAX_SECONDS: '1',
      PUSH_RATE_BURST: '100',
      PUSH_RATE_PER_SECOND: '200',
      ...overrides,
    };
  }

  /** How every following relay request is answered. */
  setMode(mode: RelayMode): void {
    this.mode = mode;
  }

  /** The next relay requests are answered with these, in order, before the mode applies again. */
  scriptNext(...modes: RelayMode[]): void {
    this.script.push(...modes);
  }

  /** Lifetime of the tokens the identity endpoint issues from now on. */
  setTokenLifetime(seconds: number): void {
    this.tokenLifetime = seconds;
  }

  /** Forgets every issued token: the next relay request with an old one gets 401. */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  /** Relay requests held open right now (hang mode). */
  heldCount(): number {
    return this.held.size;
  }

  /** Answers every held request with `status` (the client may have given up already). */
  releaseHeld(status = 503): void {
    for (const res of this.held) {
      if (!res.writableEnded && !res.destroyed) res.writeHead(status).end();
    }
    this.held.clear();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sends(): any[] {
    return this.accepted.filter((r) => r.action === 'send').map((r) => r.body);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  bodies(action: RelayAction): any[] {
    return this.accepted.filter((r) => r.action === action).map((r) => r.body);
  }

  /** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`relay stand-in: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.releaseHeld();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  // ---------------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const raw = await readBody(req);
    if (url.pathname === '/identity/connect/token') return this.token(req, res, raw);
    const match = /^\/relay\/push\/(register|delete|send)$/.exec(url.pathname);
    const action = (match?.[1] as RelayAction | undefined) ?? 'unknown';
    const at = Date.now();
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      this.attempts.push({ at, action, status });
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...headers }).end(text);
    };
    if (!match) return answer(404);
    if (req.method !== 'POST') return answer(405);

    const mode = this.script.shift() ?? this.mode;
    if (mode.kind === 'hang') {
      this.attempts.push({ at, action, status: 'hung' });
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (mode.kind === 'status') return answer(mode.status, mode.body, mode.headers);
    if (mode.kind === 'stream') {
      this.attempts.push({ at, action, status: mode.status });
      return this.stream(res, mode);
    }

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth?.[1] || !this.validTokens.has(auth[1])) return answer(401);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(415, relayErrorBody('Unsupported media type.'));
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      return answer(400, relayErrorBody('The model state is invalid.', { '': ['The request body is not valid JSON.'] }));
    }
    const errors: Errors = {};
    const problem = this.validate(action as RelayAction, body, errors);
    if (problem) return answer(400, relayErrorBody(problem));
    if (Object.keys(errors).length > 0) return answer(400, relayErrorBody('The model state is invalid.', errors));
    this.accepted.push({ at, action: action as RelayAction, body });
    return answer(200);
  }

  private stream(res: ServerResponse, mode: Extract<RelayMode, { kind: 'stream' }>): void {
    const total = mode.bytes ?? Number.POSITIVE_INFINITY;
    const record: StreamedAnswer = { status: mode.status, total, written: 0, closedByClient: false, closed: false };
    this.streamed.push(record);
    res.on('close', () => {
      record.closed = true;
      record.closedByClient = !res.writableFinished;
    });
    res.writeHead(mode.status, { 'Content-Type': 'application/json; charset=utf-8' });
    const filler = Buffer.alloc(64 * 1024, 'x');
    let head = Buffer.from(mode.prefix ?? '', 'utf8');
    const pump = (): void => {
      while (!res.destroyed && !res.writableEnded) {
        if (record.written >= total) {
          res.end();
          return;
        }
        const piece = head.length > 0 ? head : filler.subarray(0, Math.min(filler.length, total - record.written));
        head = Buffer.alloc(0);
        record.written += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  private token(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const at = Date.now();
    const reply = (status: number, body: Record<string, unknown>): void => {
      this.tokenRequests.push({ at, status });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { error: 'invalid_request' });
    if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) return reply(400, { error: 'invalid_request', error_description: 'form body expected' });
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type' });
    if (form.get('scope') !== 'api.push') return reply(400, { error: 'invalid_scope' });
    if (form.get('client_id') !== `installation.${this.installationId}` || form.get('client_secret') !== this.installationKey) {
      return reply(400, { error: 'invalid_client' });
    }
    const token = randomBytes(24).toString('base64url');
    this.issuedTokens.push(token);
    this.validTokens.add(token);
    return reply(200, { access_token: token, expires_in: this.tokenLifetime, token_type: 'Bearer', scope: 'api.push' });
  }

  /** Returns a top-level message for a non-validation error, or fills `errors`. */
  private validate(action: RelayAction, body: unknown, errors: Errors): string | null {
    if (!isObject(body)) {
      add(errors, '', 'A JSON object is required.');
      return null;
    }
    if (action === 'delete') {
      if (!sameKeys(body, ['id'])) add(errors, '', `unexpected keys: ${Object.keys(body).join(',')}`);
      if (typeof body.id !== 'string' || !GUID.test(body.id)) add(errors, 'Id', 'The Id field is required and must be a GUID.');
      return null;
    }
    if (action === 'register') {
      const keys = ['deviceId', 'pushToken', 'userId', 'type', 'identifier', 'organizationIds', 'installationId'];
      for (const key of Object.keys(body)) if (!keys.includes(key)) add(errors, key, 'unknown field');
      for (const key of ['deviceId', 'userId']) if (typeof body[key] !== 'string' || !LOWER_GUID.test(body[key] as string)) add(errors, key, 'an unprefixed lowercase GUID is required');
      if (typeof body.pushToken !== 'string' || body.pushToken === '') add(errors, 'pushToken', 'The PushToken field is required.');
      if (typeof body.identifier !== 'string' || body.identifier === '') add(errors, 'identifier', 'The Identifier field is required.');
      if (!Number.isInteger(body.type) || (body.type as number) < 0 || (body.type as number) > 26) add(errors, 'type', 'a DeviceType number is required');
      if (body.organizationIds !== undefined && body.organizationIds !== null) {
        if (!Array.isArray(body.organizationIds) || body.organizationIds.some((id) => typeof id !== 'string' || !GUID.test(id))) add(errors, 'organizationIds', 'an array of GUIDs');
      }
      if (body.installationId !== this.installationId) return 'InstallationId does not match current context.';
      return null;
    }
    const keys = ['userId', 'organizationId', 'deviceId', 'identifier', 'type', 'payload', 'clientType', 'installationId'];
    if (!sameKeys(body, keys)) add(errors, '', `expected exactly the keys ${keys.join(',')}; got ${Object.keys(body).join(',')}`);
    for (const key of ['userId', 'organizationId', 'deviceId']) {
      const value = body[key];
      if (value !== null && (typeof value !== 'string' || !LOWER_GUID.test(value))) add(errors, key, 'an unprefixed lowercase GUID or null');
    }
    if (body.userId === null && body.organizationId === null && body.installationId === null) add(errors, '', 'UserId, OrganizationId or InstallationId is required.');
    if (body.identifier !== null && typeof body.identifier !== 'string') add(errors, 'identifier', 'a string or null');
    if (body.clientType !== null) add(errors, 'clientType', 'this server always sends null');
    if (body.installationId !== null && body.installationId !== undefined) {
      if (body.installationId !== this.installationId) return 'InstallationId does not match current context.';
      add(errors, 'installationId', 'this server always sends null');
    }
    const type = body.type;
    if (!Number.isInteger(type) || (type as number) < 0 || (type as number) > 27) {
      add(errors, 'type', 'a PushType number is required');
      return null;
    }
    const expected = PAYLOAD_KEYS[type as number];
    const payload = body.payload;
    if (!expected) add(errors, 'type', `type ${String(type)} is not one this server may send`);
    else if (!isObject(payload) || !sameKeys(payload, expected)) add(errors, 'payload', `type ${String(type)} needs exactly the keys ${expected.join(',')}`);
    else {
      for (const key of ['id', 'userId', 'organizationId']) {
        if (key in payload && payload[key] !== null && (typeof payload[key] !== 'string' || !LOWER_GUID.test(payload[key] as string))) add(errors, `payload.${key}`, 'a lowercase id');
      }
      for (const key of ['revisionDate', 'date']) {
        if (key in payload && (typeof payload[key] !== 'string' || !MICROS_DATE.test(payload[key] as string))) add(errors, `payload.${key}`, 'RFC 3339 with six fractional digits');
      }
      if (payload.userId !== null && payload.userId !== body.userId) add(errors, 'payload.userId', 'must be the recipient');
    }
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
