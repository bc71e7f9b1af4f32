// Pure diagnosis: observations in, named findings (cause and fix) out. No I/O here.
import type { NetFailure } from './http-client';
import type { HubProbeResult } from './hub-probe';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** Stable names of the problems the doctor recognises (printed in brackets, used by tests). */
export type Problem =
  | 'BAD_URL'
  | 'NOT_HTTPS'
  | 'TLS_UNTRUSTED'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_EXPIRED'
  | 'TLS_PLAIN_HTTP'
  | 'TLS_HANDSHAKE'
  | 'DNS'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'UPSTREAM_DOWN'
  | 'NOT_FOUND'
  | 'UNEXPECTED_STATUS'
  | 'NOT_THIS_SERVER'
  | 'WRONG_DOMAIN'
  | 'UPGRADE_HEADER_MISSING'
  | 'CONNECTION_HEADER_MISSING'
  | 'HTTP10_UPSTREAM'
  | 'HUB_NOT_PROXIED'
  | 'HUBS_DISABLED'
  | 'AUTH_HEADER_DROPPED'
  | 'TOKEN_REJECTED'
  | 'TOO_MANY_CONNECTIONS'
  | 'HANDSHAKE_FAILED'
  | 'PROXY_IDLE_TIMEOUT'
  | 'NO_PING'
  | 'CLOSED_BY_SERVER'
  | 'LOGIN_FAILED'
  | 'ROUND_TRIP_FAILED';

export interface Finding {
  check: string;
  status: CheckStatus;
  summary: string;
  problem?: Problem;
  cause?: string;
  fix?: string;
}

/** The reverse proxy in front, as far as its `Server` header tells. */
export type ProxyProduct = 'nginx' | 'apache' | 'caddy' | 'cloudflare' | 'unknown';

export function proxyProduct(serverHeader: string | string[] | undefined): ProxyProduct {
  const value = (Array.isArray(serverHeader) ? serverHeader.join(' ') : serverHeader ?? '').toLowerCase();
  if (value.includes('nginx') || value.includes('openresty')) return 'nginx';
  if (value.includes('apache')) return 'apache';
  if (value.includes('caddy')) return 'caddy';
  if (value.includes('cloudflare')) return 'cloudflare';
  return 'unknown';
}

type FixBook = { generic: string } & Partial<Record<'nginx' | 'apache' | 'caddy' | 'haproxy' | 'traefik' | 'cloudflare', string>>;

const DOC = 'docs/reverse-proxy.md';

const FIXES: Partial<Record<Problem, FixBook>> = {
  UPGRADE_HEADER_MISSING: {
    generic: `forward the WebSocket upgrade on /notifications/ over HTTP/1.1 with the Upgrade and Connection headers (${DOC}).`,
    nginx: 'in "location /notifications/" add: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";',
    apache: 'use "ProxyPass /notifications/ http://127.0.0.1:8000/notifications/ upgrade=websocket timeout=3600" (Apache 2.4.47+), before "ProxyPass /".',
    caddy: 'Caddy forwards upgrades by itself: remove any "header_up -Upgrade" / "header_up Connection" lines, and check what sits in front of Caddy.',
    haproxy: 'use "mode http" and do not delete the Upgrade or Connection headers (http-request del-header).',
    traefik: 'Traefik forwards upgrades by itself: remove middlewares that rewrite Upgrade/Connection, and check what sits in front of Traefik.',
    cloudflare: 'enable WebSockets for the zone (Network > WebSockets).',
  },
  CONNECTION_HEADER_MISSING: {
    generic: `send "Connection: upgrade" (not "close") to the server on /notifications/ (${DOC}).`,
    nginx: 'in "location /notifications/" use proxy_set_header Connection "upgrade"; (a "close" value, or an inherited Connection header from the server block, breaks the upgrade).',
    apache: 'remove any "RequestHeader set Connection close" and use upgrade=websocket on the /notifications/ ProxyPass.',
    haproxy: 'remove "option httpclose"/"http-request set-header Connection close" for the hub paths.',
  },
  HTTP10_UPSTREAM: {
    generic: 'the proxy must talk HTTP/1.1 to the server: HTTP/1.0 cannot carry a WebSocket upgrade.',
    nginx: 'add "proxy_http_version 1.1;" in "location /notifications/" (nginx defaults to HTTP/1.0 upstream).',
    apache: 'remove "SetEnv force-proxy-request-1.0" and "proxy-nokeepalive" for /notifications/.',
  },
  HUB_NOT_PROXIED: {
    generic: `route /notifications/hub and /notifications/anonymous-hub to the server's main port, the same as /api (${DOC}). Vaultwave has no separate WebSocket port.`,
    nginx: 'add "location /notifications/ { proxy_pass http://127.0.0.1:8000; ... }" and delete any rule that sends /notifications/hub to port 3012.',
    apache: 'add "ProxyPass /notifications/ http://127.0.0.1:8000/notifications/ upgrade=websocket timeout=3600" and delete any ws://…:3012 rule.',
    caddy: 'send every path to the server ("reverse_proxy 127.0.0.1:8000") and delete any "reverse_proxy /notifications/hub 127.0.0.1:3012".',
    haproxy: 'send /notifications/ to the same backend as /api and delete any backend on port 3012.',
  },
  PROXY_IDLE_TIMEOUT: {
    generic: `raise the proxy's idle/read timeout for /notifications/ well above the 15 s ping interval (1 h is usual; ${DOC}).`,
    nginx: 'in "location /notifications/": proxy_read_timeout 3600s; proxy_send_timeout 3600s;',
    apache: 'add timeout=3600 to the /notifications/ ProxyPass (or raise ProxyTimeout).',
    haproxy: 'set "timeout tunnel 1h" in defaults or in the backend.',
    traefik: 'raise entryPoints.<name>.transport.respondingTimeouts (readTimeout, idleTimeout) to 3600s.',
    cloudflare: 'Cloudflare keeps idle WebSockets for 100 s; something behind it closes sooner (check the origin proxy).',
  },
  NO_PING: {
    generic: 'make sure the proxy does not buffer WebSocket frames on /notifications/ and that the server is a current Vaultwave.',
    nginx: 'in "location /notifications/": proxy_buffering off;',
  },
};

/** Cause-specific fix text: the line for the detected proxy, else the generic advice plus the known products. */
export function fixFor(problem: Problem, product: ProxyProduct): string | undefined {
  const book = FIXES[problem];
  if (!book) return undefined;
  const specific = product !== 'unknown' ? book[product] : undefined;
  if (specific) return `${specific}\nIn general: ${book.generic}`;
  const lines = (['nginx', 'apache', 'caddy', 'haproxy', 'traefik'] as const)
    .filter((p) => book[p])
    .map((p) => `\n${p}: ${book[p]}`);
  return `${book.generic}${lines.join('')}`;
}

const fail = (check: string, summary: string, problem: Problem, cause: string, fix?: string): Finding => ({ check, status: 'fail', summary, problem, cause, ...(fix ? { fix } : {}) });

/** A failure below HTTP: DNS, TCP, TLS, time-outs. */
export function diagnoseNetFailure(check: string, what: string, url: URL, error: NetFailure): Finding {
  const code = error.code.toUpperCase();
  const message = error.message;
  const host = url.host;
  const summary = `${what} failed: ${code}: ${message}`;
  if (['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE'].includes(code)) {
    return fail(check, summary, 'TLS_UNTRUSTED',
      `TLS problem: the certificate served for ${host} is not trusted (self-signed, a private CA, or an incomplete chain). Official clients refuse it too.`,
      'serve the full chain (fullchain.pem, not cert.pem) from a public CA such as Let\'s Encrypt. For a private CA, install it on every client device and pass --ca <ca.pem> to the doctor (or set NODE_EXTRA_CA_CERTS).');
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return fail(check, summary, 'TLS_HOSTNAME_MISMATCH',
      `TLS problem: the certificate served on ${host} is not valid for the name "${url.hostname}".`,
      `serve a certificate whose subject alternative names include ${url.hostname} (check server_name / ServerName / the site address, and SNI on shared IPs).`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return fail(check, summary, 'TLS_EXPIRED', `TLS problem: the certificate served on ${host} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}.`,
      'renew the certificate (and check the clock of the proxy host), then reload the proxy.');
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number|packet length too long|http request/i.test(message)) {
    return fail(check, summary, 'TLS_PLAIN_HTTP',
      `TLS problem: ${host} answered plain HTTP to a TLS handshake: the URL points at a port without TLS (the server's own HTTP port, or a proxy listener without ssl).`,
      `use the port where the proxy terminates TLS (usually 443), or enable TLS on this listener ("listen 443 ssl", "SSLEngine on", "bind :443 ssl crt …"). Clients need https://.`);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /ssl|tls|certificate/i.test(message)) {
    return fail(check, summary, 'TLS_HANDSHAKE', `TLS problem: the TLS handshake with ${host} failed (${message}).`,
      'check the proxy\'s certificate and key files, and allow TLS 1.2 and 1.3 (ssl_protocols / SSLProtocol / ssl-min-ver).');
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return fail(check, summary, 'DNS', `the name ${url.hostname} does not resolve.`, 'fix the DNS record (or /etc/hosts) of the public name, or pass the URL clients really use.');
  }
  if (code === 'ECONNREFUSED') {
    return fail(check, summary, 'UNREACHABLE', `nothing accepts connections on ${host}.`, 'start the reverse proxy (or the server), and check the port in the URL and the firewall.');
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return fail(check, summary, 'TIMEOUT', `${host} did not answer in time (firewall, routing, or a stuck proxy).`, 'check that the port is open from where the clients are, and that the proxy is running.');
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return fail(check, summary, 'UNREACHABLE', `${host} closed the connection without an answer (often a TLS listener expecting a different name, or a proxy refusing the request).`,
      'look at the proxy\'s error log for this request.');
  }
  return fail(check, summary, 'UNREACHABLE', `the request to ${host} failed (${code}).`, 'check that the proxy is running and reachable from here.');
}

/** GET /alive (or /api/config) answered, but not with 200. */
export function diagnoseHttpStatus(check: string, path: string, status: number, body: string, url: URL, product: ProxyProduct): Finding {
  const summary = `GET ${path} answered ${status}`;
  if (status === 502 || status === 503 || status === 504) {
    return fail(check, summary, 'UPSTREAM_DOWN', `the proxy${product !== 'unknown' ? ` (${product})` : ''} answered ${status}: it cannot reach the Vaultwave server.`,
      'start the server, and check the upstream address in the proxy config (proxy_pass / ProxyPass / reverse_proxy / server line) against ROCKET_ADDRESS and ROCKET_PORT.');
  }
  if (status === 404) {
    const sub = url.pathname.replace(/\/+$/, '');
    return fail(check, summary, 'NOT_FOUND',
      sub ? `nothing answers ${path}: the proxy does not send ${sub}/ to the server, or the server's DOMAIN has a different path than ${sub}.`
        : 'nothing answers /alive at the root of this URL: the proxy does not send it to the server, or the server runs under a sub-path (DOMAIN=https://host/path).',
      sub ? `set DOMAIN=${url.origin}${sub} on the server and proxy ${sub}/ to it without stripping the prefix (${DOC}, "Sub-path").`
        : 'if the server has a sub-path in DOMAIN, include it in the URL given to the doctor; otherwise route / to the server.');
  }
  return fail(check, summary, 'UNEXPECTED_STATUS', `unexpected answer ${status} to GET ${path}${body ? `: ${body.slice(0, 160)}` : ''}.`,
    'check the proxy rules in front of the server (authentication, WAF, redirects) and its error log.');
}

/** Compares /api/config environment.notifications with the URL the clients use. */
export function diagnoseConfig(body: string, url: URL): Finding {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return fail('config', 'GET /api/config did not return JSON', 'NOT_THIS_SERVER', 'something else than the Vaultwave server answers /api/config (a web page or another app).',
      `route ${url.pathname.replace(/\/+$/, '')}/api/ to the Vaultwave server.`);
  }
  const env = (json as { environment?: { notifications?: unknown; vault?: unknown } }).environment;
  const actual = typeof env?.notifications === 'string' ? env.notifications : null;
  const expected = `${url.origin}${url.pathname.replace(/\/+$/, '')}/notifications`;
  if (actual === null) {
    return fail('config', 'GET /api/config has no environment.notifications', 'NOT_THIS_SERVER', 'the answer is not a Bitwarden /api/config document.', `route /api/ to the Vaultwave server.`);
  }
  if (normalizeUrl(actual) !== normalizeUrl(expected)) {
    const domain = actual.replace(/\/notifications\/?$/, '');
    return fail('config', `environment.notifications is ${actual}, expected ${expected}`, 'WRONG_DOMAIN',
      `wrong DOMAIN: the server believes its public URL is ${domain}, but clients reach it at ${expected.replace(/\/notifications$/, '')}.`,
      `set DOMAIN=${expected.replace(/\/notifications$/, '')} in the server's environment (scheme, host, port and sub-path exactly as clients use them) and restart it.`);
  }
  return { check: 'config', status: 'pass', summary: `environment.notifications = ${actual}` };
}

function normalizeUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return text;
  }
}

function errorMessage(body: string): string | null {
  try {
    const json = JSON.parse(body) as { message?: unknown; object?: unknown };
    return typeof json.message === 'string' ? json.message : null;
  } catch {
    return null;
  }
}

function isServerErrorBody(body: string): boolean {
  try {
    return (JSON.parse(body) as { object?: unknown }).object === 'error';
  } catch {
    return false;
  }
}

/** Reads a rejected upgrade (any answer but 101). `hub` is "hub" or "anonymous-hub". */
export function diagnoseUpgradeRejection(check: string, hub: string, status: number, body: string, product: ProxyProduct, tokenSentInHeader: boolean): Finding {
  const path = `/notifications/${hub}`;
  const message = errorMessage(body);
  const summary = `the WebSocket upgrade of ${path} was answered ${status}${message ? ` "${message}"` : ''}, not 101`;
  const f = (problem: Problem, cause: string, fix?: string): Finding => fail(check, summary, problem, cause, fix ?? fixFor(problem, product));

  if (status === 400 && message?.includes('Missing "Upgrade: websocket" header')) {
    return f('UPGRADE_HEADER_MISSING', `missing Upgrade header: the reverse proxy does not pass "Upgrade: websocket" to the server on ${path}${product === 'nginx' ? ' (nginx drops it, and talks HTTP/1.0 upstream, unless told otherwise)' : ''}.`);
  }
  if (status === 400 && message?.includes('Missing "Connection: Upgrade" header')) {
    return f('CONNECTION_HEADER_MISSING', `missing Connection header: the reverse proxy passes Upgrade but sends the server "Connection: close" (or no "Connection: upgrade") on ${path}.`);
  }
  if (status === 400 && message !== null && /HTTP\/1\.0|over HTTP\/1\.1/.test(message)) {
    return f('HTTP10_UPSTREAM', `HTTP/1.0 upstream: the upgrade reached the server, but not as an HTTP/1.1 upgrade request.`);
  }
  if (status === 401 && message === 'Invalid claim' && tokenSentInHeader) {
    return fail(check, summary, 'AUTH_HEADER_DROPPED', `the server received no token: the proxy drops the Authorization header on ${path}.`,
      'pass the Authorization header through unchanged on /notifications/ (remove "proxy_set_header Authorization", "RequestHeader unset Authorization" and similar).');
  }
  if (status === 401) {
    return fail(check, summary, 'TOKEN_REJECTED', `the server refused the access token (${message ?? 'no message'}): it is expired, revoked, or from another server.`,
      'log in again (or pass --email/--password instead of --token).');
  }
  if (status === 429) {
    return fail(check, summary, 'TOO_MANY_CONNECTIONS',
      hub === 'anonymous-hub'
        ? 'too many anonymous hub connections from one client IP. If every client appears with the proxy\'s address, the server does not see real client IPs.'
        : 'this account already holds the maximum number of hub connections.',
      hub === 'anonymous-hub'
        ? 'make the proxy set X-Real-IP to the client address and list the proxy\'s address in TRUSTED_PROXIES (IP_HEADER=X-Real-IP).'
        : 'close stale sessions, or raise HUB_MAX_CONNECTIONS_PER_USER.');
  }
  if (status === 404 && isServerErrorBody(body)) {
    return fail(check, summary, 'HUBS_DISABLED', `the Vaultwave server itself answered 404 for ${path}: the hubs are switched off (ENABLE_WEBSOCKET=false) or the server's DOMAIN path differs from this URL's path.`,
      'remove ENABLE_WEBSOCKET=false from the server environment, and make DOMAIN\'s path equal to the URL\'s path.');
  }
  if (status === 404) {
    return f('HUB_NOT_PROXIED', `hub path not proxied: the proxy${product !== 'unknown' ? ` (${product})` : ''} answered 404 itself, so ${path} never reaches the server.`);
  }
  if (status === 502 || status === 503 || status === 504) {
    return f('HUB_NOT_PROXIED', `hub path not proxied to the server: the proxy answered ${status} for ${path} only, so it sends the hub somewhere else than /api (typically the old WebSocket port 3012 from Vaultwave 1.30 guides; nothing listens there).`);
  }
  if (status >= 200 && status < 300) {
    return f('HUB_NOT_PROXIED', `hub path not proxied: ${path} was answered ${status} as an ordinary page (a static site or a catch-all), not by the server.`);
  }
  if (status === 301 || status === 302 || status === 307 || status === 308) {
    return fail(check, summary, 'UNEXPECTED_STATUS', `the proxy redirects ${path}; WebSocket clients do not follow redirects.`, 'serve the hub at exactly this URL (no http→https or trailing-slash redirect on it).');
  }
  return fail(check, summary, 'UNEXPECTED_STATUS', `unexpected answer ${status} to the upgrade of ${path}${body ? `: ${body.slice(0, 160)}` : ''}.`,
    'check authentication or WAF rules on /notifications/ and the proxy\'s error log.');
}

/** Reads an upgrade that succeeded (101): handshake, Ping, close. */
export function diagnoseOpenedHub(check: string, hub: string, result: Extract<HubProbeResult, { kind: 'opened' }>, product: ProxyProduct, pingTimeoutMs: number): Finding {
  const path = `/notifications/${hub}`;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  if (result.handshake !== 'ok') {
    const what = { closed: `the connection closed (code ${result.closeCode ?? '?'}) before the SignalR handshake reply`, timeout: 'no SignalR handshake reply arrived', error: `the server refused the SignalR handshake: ${result.handshakeDetail ?? ''}`, unexpected: `the first frame was not a SignalR handshake reply: ${result.handshakeDetail ?? ''}` }[result.handshake];
    return fail(check, `101 Switching Protocols, but ${what}`, 'HANDSHAKE_FAILED',
      `the WebSocket opened on ${path} but did not carry the SignalR handshake: something between client and server answers or filters WebSocket frames (a WAF, a second proxy, or a non-Vaultwave upstream).`,
      'make sure /notifications/ goes straight to the Vaultwave server\'s main port and that no filter inspects WebSocket frames.');
  }
  if (result.pingAfterMs !== null) {
    return { check, status: 'pass', summary: `101, SignalR handshake, server Ping after ${seconds(result.pingAfterMs)}` };
  }
  if (result.closeCode !== null) {
    const after = result.closedAfterMs ?? 0;
    const idle = result.closedAfterLastFrameMs ?? after;
    if (result.serverClose) {
      return fail(check, `the server closed ${path} after ${seconds(after)} with ${JSON.stringify(result.serverClose)}`, 'CLOSED_BY_SERVER',
        'the server ended the connection itself (restart, shutdown, or deauthorisation).', 'run the doctor again once the server is up; see its log for the reason.');
    }
    return fail(check, `101 and handshake, then the connection closed (code ${result.closeCode}) ${seconds(idle)} after the last frame, before the first server Ping`, 'PROXY_IDLE_TIMEOUT',
      `proxy idle timeout shorter than the ping interval: the server sends a SignalR Ping every 15 s, but the connection was cut after ${seconds(idle)} of silence, so clients lose live sync every few seconds.`,
      fixFor('PROXY_IDLE_TIMEOUT', product));
  }
  return fail(check, `101 and handshake, but no server Ping within ${seconds(pingTimeoutMs)}`, 'NO_PING',
    'the connection stays open but the server\'s Pings (every 15 s) never arrive: the proxy buffers WebSocket frames, or the upstream is not a current Vaultwave server.',
    fixFor('NO_PING', product));
}

/** Any hub probe result → one finding. */
export function diagnoseHub(check: string, hub: string, url: URL, result: HubProbeResult, product: ProxyProduct, pingTimeoutMs: number, tokenSentInHeader = false): Finding {
  switch (result.kind) {
    case 'network-error':
      return diagnoseNetFailure(check, `the WebSocket connection to /notifications/${hub}`, url, result.error);
    case 'timeout':
      return fail(check, `no answer to the upgrade of /notifications/${hub} within ${(result.ms / 1000).toFixed(1)} s`, 'TIMEOUT',
        'the proxy accepted the connection but never answered the upgrade (it may wait for a request body, or the upstream hangs).', fixFor('HUB_NOT_PROXIED', product));
    case 'rejected':
      return diagnoseUpgradeRejection(check, hub, result.status, result.body, product, tokenSentInHeader);
    case 'opened':
      return diagnoseOpenedHub(check, hub, result, product, pingTimeoutMs);
  }
}

/** The public URL itself: absolute, http(s), https for real clients. */
export function diagnoseUrl(text: string): { url: URL | null; finding: Finding } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: null, finding: fail('url', `"${text}" is not an absolute URL`, 'BAD_URL', 'the doctor needs the public URL clients use.', 'pass it as https://vault.example.com (with the sub-path, if any).') };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { url: null, finding: fail('url', `"${text}" is not an http(s) URL`, 'BAD_URL', 'the doctor needs the public URL clients use.', 'pass it as https://vault.example.com.') };
  }
  if (url.search || url.hash) {
    return { url: null, finding: fail('url', `"${text}" carries a query string or fragment`, 'BAD_URL', 'the public URL has neither.', `pass ${url.origin}${url.pathname}.`) };
  }
  if (url.protocol === 'http:') {
    return { url, finding: fail('url', `${url.href} is plain http`, 'NOT_HTTPS', 'official clients refuse a server (and a notifications URL) that is not https://.', 'terminate TLS in the reverse proxy and use https:// in DOMAIN and in the clients.') };
  }
  return { url, finding: { check: 'url', status: 'pass', summary: `${url.href}` } };
}
