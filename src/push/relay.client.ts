import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '../common/metrics/metrics';
import { SERVER_NAME, SERVER_VERSION } from '../config/server-info';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { parseRetryAfter } from './retry-policy';

/** The relay calls an outbox row can make (notifications.md §10.4–§10.7). */
export type RelayAction = 'register' | 'delete' | 'send';

const PATHS: Record<RelayAction, string> = { register: '/push/register', delete: '/push/delete', send: '/push/send' };

/** How one relay call ended; the worker turns it into done, retry, pause or failed. */
export type RelayOutcome =
  | { kind: 'ok' }
  /** 5xx, timeout, connection error, or a second 401: try again later. */
  | { kind: 'transient'; status: number | null; message: string }
  /** 429: the whole outbox waits (`retryAfterMs` null when the header is absent or not understood). */
  | { kind: 'rate-limited'; retryAfterMs: number | null }
  /** 4xx other than 401/429, or a redirect: never retried. `hint` says what to fix when it is configuration. */
  | { kind: 'permanent'; status: number; message: string; hint: string | null }
  /** The relay token could not be obtained; `rejected` when the identity server refused the credentials. */
  | { kind: 'token'; rejected: boolean; status: number | null; message: string; retryAfterMs: number | null }
  /** The server is shutting down; the call was abandoned. */
  | { kind: 'aborted' };

class TokenError extends Error {
  constructor(readonly rejected: boolean, readonly status: number | null, message: string, readonly retryAfterMs: number | null = null) {
    super(message);
  }
}

class AbortedError extends Error {}

interface CachedToken { value: string; refreshAt: number }

const USER_AGENT = `${SERVER_NAME}/${SERVER_VERSION} (push relay client)`;
const MAX_MESSAGE = 500;
/**
 * At most this many bytes of any relay or identity answer are read (a token answer is about 1.5 KB, an error
 * body a few hundred bytes); the rest is never received: the body stream is cancelled.
 */
export const MAX_BODY_BYTES = 8192;

/**
 * Client of Bitwarden's push relay and its identity server. The relay token (client credentials of the
 * installation, scope api.push) is cached until half its lifetime has passed; concurrent callers share one
 * refresh; a 401 drops it and the call is retried once. 10 s timeout (PUSH_RELAY_TIMEOUT_SECONDS), redirects
 * not followed. The installation key, the relay token and push tokens are never logged or returned.
 */
@Injectable()
export class RelayClient {
  private cached: CachedToken | null = null;
  private refreshing: Promise<string> | null = null;
  private readonly shutdown = new AbortController();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, @Optional() private readonly metrics?: Metrics) {}

  /** Abandons every request in flight (shutdown). */
  abort(): void {
    this.shutdown.abort();
  }

  /** Obtains a token now (start-up check); the outcome is what a call would have seen. */
  async checkToken(): Promise<RelayOutcome> {
    try {
      await this.token();
      return { kind: 'ok' };
    } catch (error) {
      return this.tokenFailure(error);
    }
  }

  /** Posts `body` (JSON text) for `action`. Never throws. */
  async call(action: RelayAction, body: string): Promise<RelayOutcome> {
    const outcome = await this.attempt(action, body);
    this.metrics?.relaySends.inc({ result: outcome.kind });
    return outcome;
  }

  private async attempt(action: RelayAction, body: string): Promise<RelayOutcome> {
    try {
      const used = await this.token();
      let response = await this.post(action, body, used);
      if (response.status === 401) {
        // Only the token that was refused is dropped: calls in flight that got the same 401 share one refresh.
        if (this.cached?.value === used) this.cached = null;
        response = await this.post(action, body, await this.token());
        if (response.status === 401) return { kind: 'transient', status: 401, message: 'the relay rejected a freshly issued token (401)' };
      }
      return await this.outcome(response);
    } catch (error) {
      return this.tokenFailure(error);
    }
  }

  private tokenFailure(error: unknown): RelayOutcome {
    if (error instanceof AbortedError || this.shutdown.signal.aborted) return { kind: 'aborted' };
    if (error instanceof TokenError) return { kind: 'token', rejected: error.rejected, status: error.status, message: error.message, retryAfterMs: error.retryAfterMs };
    return { kind: 'transient', status: null, message: describeNetworkError(error) };
  }

  private async outcome(response: Response): Promise<RelayOutcome> {
    const status = response.status;
    if (status >= 200 && status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'ok' };
    }
    if (status === 429) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'rate-limited', retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    }
    if (status === 0 || (status >= 300 && status < 400)) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'permanent', status, message: `redirect to ${response.headers.get('location') ?? 'an unknown location'} (not followed)`, hint: 'PUSH_RELAY_URI does not point at the relay itself; use https://push.bitwarden.com (US) or https://api.bitwarden.eu (EU)' };
    }
    const message = relayMessage(await readText(response)) ?? `HTTP ${status}`;
    if (status >= 500) return { kind: 'transient', status, message };
    let hint: string | null = null;
    if (status === 403) hint = 'the relay token lacks the api.push scope; check PUSH_IDENTITY_URI and the installation';
    if (status === 404 || status === 405) hint = 'wrong relay host or path: check PUSH_RELAY_URI (https://push.bitwarden.com for US, https://api.bitwarden.eu for EU)';
    if (status === 400 && /not correctly configured for push relays|installationid does not match/i.test(message)) hint = 'the relay token does not belong to PUSH_INSTALLATION_ID; check the installation id, key and region';
    return { kind: 'permanent', status, message, hint };
  }

  private async post(action: RelayAction, body: string, token: string): Promise<Response> {
    return this.request(`${this.config.push.relayUri}${PATHS[action]}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': USER_AGENT },
      body,
    });
  }

  /** The cached token, or one refresh shared by every concurrent caller. */
  private token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.refreshing) {
      this.refreshing = this.fetchToken().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async fetchToken(): Promise<string> {
    const { installationId, installationKey, identityUri } = this.config.push;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'api.push',
      client_id: `installation.${installationId ?? ''}`,
      client_secret: installationKey ?? '',
    });
    let response: Response;
    try {
      response = await this.request(`${identityUri}/connect/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': USER_AGENT },
        body: form.toString(),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      throw new TokenError(false, null, describeNetworkError(error));
    }
    const status = response.status;
    const text = await readText(response);
    if (status === 200) {
      const parsed = parseJson(text);
      const value = isRecord(parsed) ? parsed.access_token : undefined;
      const expiresIn = isRecord(parsed) ? parsed.expires_in : undefined;
      if (typeof value !== 'string' || value === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
        throw new TokenError(false, status, 'the identity server answered 200 without access_token and expires_in');
      }
      this.cached = { value, refreshAt: Date.now() + (expiresIn * 1000) / 2 };
      return value;
    }
    if (status === 429) throw new TokenError(false, status, 'the identity server rate-limited the token request (429)', parseRetryAfter(response.headers.get('retry-after')));
    if (status >= 500) throw new TokenError(false, status, `the identity server answered ${status}`);
    if (status === 0 || (status >= 300 && status < 400)) {
      throw new TokenError(true, status, `the identity server redirected (not followed); check PUSH_IDENTITY_URI (https://identity.bitwarden.com for US, https://identity.bitwarden.eu for EU)`);
    }
    const parsed = parseJson(text);
    const oauthError = isRecord(parsed) && typeof parsed.error === 'string' ? parsed.error : null;
    const description = isRecord(parsed) && typeof parsed.error_description === 'string' ? parsed.error_description : null;
    const what = [oauthError, description].filter(Boolean).join(': ') || `HTTP ${status}`;
    throw new TokenError(true, status, `${what.slice(0, MAX_MESSAGE)}; check PUSH_INSTALLATION_ID and PUSH_INSTALLATION_KEY, and that the installation was created in the region of PUSH_IDENTITY_URI (bitwarden.com = US, bitwarden.eu = EU)`);
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    if (this.shutdown.signal.aborted) throw new AbortedError('shutting down');
    const signal = AbortSignal.any([AbortSignal.timeout(this.config.push.timeoutMs), this.shutdown.signal]);
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal });
    } catch (error) {
      if (this.shutdown.signal.aborted) throw new AbortedError('shutting down');
      if (signal.aborted) throw new Error(`timed out after ${this.config.push.timeoutMs} ms`);
      throw error;
    }
  }
}

/**
 * The first `limit` bytes of the body as text (a character cut at the limit becomes U+FFFD), reading no
 * further: the stream is cancelled once the limit is reached. A body that fails midway yields what arrived.
 */
async function readText(response: Response, limit = MAX_BODY_BYTES): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let received = 0;
  try {
    while (received < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.byteLength > limit - received ? value.subarray(0, limit - received) : value;
      received += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
    return text + decoder.decode();
  } catch {
    return text + decoder.decode();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The relay's error body (`message`, `validationErrors`), shortened; null when there is none. */
function relayMessage(text: string): string | null {
  const parsed = parseJson(text);
  if (!isRecord(parsed)) return text.trim() === '' ? null : text.trim().slice(0, MAX_MESSAGE);
  const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : null;
  const details: string[] = [];
  if (isRecord(parsed.validationErrors)) {
    for (const [field, errors] of Object.entries(parsed.validationErrors)) {
      if (Array.isArray(errors)) details.push(`${field}: ${errors.filter((e) => typeof e === 'string').join(' ')}`);
    }
  }
  const text2 = [message, details.length ? `(${details.join('; ')})` : null].filter(Boolean).join(' ');
  return text2 === '' ? null : text2.slice(0, MAX_MESSAGE);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_MESSAGE);
  const cause = (error as Error & { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `: ${(cause as Error & { code?: string }).code ?? cause.message}` : '';
  return `${error.message}${causeText}`.slice(0, MAX_MESSAGE);
}
