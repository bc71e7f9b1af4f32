import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { threadPoolSize } from '../common/limits/work-gate';
import { cronScheduleProblem } from '../auth-requests/cron-schedule';
import { invalidProxyEntries } from '../common/http/trusted-proxies';
import { ConfigFileLayer, readConfigFile } from './config-file';
import { ENV_SCHEMA, EnvVarSpec } from './env.schema';
import { parseLogLevel } from './log-level';
import { pgConninfoToUrl } from './pg-conninfo';
import { VAULTWARDEN_VARIABLES } from './vaultwarden-variables';

export type DatabaseType = 'better-sqlite3' | 'postgres' | 'mysql';

export interface TlsConfig { certPath: string; keyPath: string }

/** Mobile push through Bitwarden's relay (notifications.md §10). */
export interface PushConfig {
  enabled: boolean;
  /** Lowercase UUID; null when push is disabled. */
  installationId: string | null;
  /** Secret: never logged, masked in diagnostics. */
  installationKey: string | null;
  /** Without trailing slash, e.g. https://push.bitwarden.com */
  relayUri: string;
  /** Without trailing slash, e.g. https://identity.bitwarden.com */
  identityUri: string;
  rateBurst: number;
  ratePerSecond: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  /** Relay requests in flight at once (OutboxWorker lanes). */
  relayConcurrency: number;
  /** Pending foldable sends of one user before they fold into one SyncVault. */
  userPendingMax: number;
}

export type SmtpSecurity = 'starttls' | 'force_tls' | 'off';
export type SmtpAuthMechanism = 'PLAIN' | 'LOGIN' | 'XOAUTH2';

/** The SMTP connection (SMTP_*); null when mail goes through sendmail or is off. */
export interface SmtpConfig {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Username and password are both set or both null. The password is a secret: never logged, masked in diagnostics. */
  username: string | null;
  password: string | null;
  /** SMTP_AUTH_MECHANISM, in order of preference; empty = what the server offers. */
  authMechanisms: SmtpAuthMechanism[];
  timeoutMs: number;
  acceptInvalidCerts: boolean;
  acceptInvalidHostnames: boolean;
  /** EHLO name; null = the machine's host name. */
  heloName: string | null;
}

/** Two-step login (Vaultwarden's AUTHENTICATOR_*, *_2FA_*, EMAIL_* names). */
export interface TwoFactorConfig {
  /** AUTHENTICATOR_DISABLE_TIME_DRIFT: only the current TOTP step is accepted (else ±1 step). */
  disableTimeDrift: boolean;
  /** DISABLE_2FA_REMEMBER: no "remember this device" tokens are issued or accepted. */
  disableRemember: boolean;
  /** INCOMPLETE_2FA_TIME_LIMIT in minutes; 0 = incomplete logins are not reported. */
  incompleteTimeLimitMinutes: number;
  /** INCOMPLETE_2FA_SCHEDULE: cron with seconds, in UTC; null (set empty) = never checked. */
  incompleteSchedule: string | null;
  /** EMAIL_TOKEN_SIZE: digits of an emailed code. */
  emailTokenSize: number;
  /** EMAIL_EXPIRATION_TIME in seconds. */
  emailExpirationSeconds: number;
  /** EMAIL_ATTEMPTS_LIMIT: wrong entries before an emailed code is voided. */
  emailAttemptsLimit: number;
}

/** Outgoing mail (Vaultwarden's SMTP_* / USE_SENDMAIL): enabled with an SMTP server or sendmail. */
export interface MailConfig {
  enabled: boolean;
  transport: 'smtp' | 'sendmail' | null;
  smtp: SmtpConfig | null;
  /** Sendmail command (absolute path or a name found in PATH) when transport is sendmail. */
  sendmailCommand: string | null;
  /** Sender address; '' when mail is off. */
  from: string;
  fromName: string;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Site icons at /icons/{domain}/icon.png. */
export interface IconsConfig {
  /** 'internal': fetched and cached here; otherwise a URL template with {} for the domain that clients are redirected to. */
  service: 'internal' | { template: string };
  redirectCode: number;
  cacheFolder: string;
  /** Seconds; 0 = forever. */
  cacheTtlSeconds: number;
  negativeTtlSeconds: number;
  downloadTimeoutMs: number;
  disableDownload: boolean;
  blockNonGlobalIps: boolean;
  blockRegex: RegExp | null;
}

export interface AppConfig {
  domain: URL;
  /** Path part of DOMAIN without trailing slash: '' or '/vault'. */
  basePath: string;
  /** DOMAIN without trailing slash, e.g. https://vault.example.com/vault */
  publicUrl: string;
  address: string;
  port: number;
  tls: TlsConfig | null;
  dataFolder: string;
  database: { type: DatabaseType; url: string | null; sqlitePath: string | null; migrateOnStart: boolean; busyTimeoutMs: number };
  /** Bytes. */
  requestBodyLimit: number;
  /** Bytes: the JSON limit of the routes that carry a whole vault (BULK_BODY_PATHS); never below requestBodyLimit. */
  bulkRequestBodyLimit: number;
  ipHeader: string | null;
  /** Addresses, CIDR ranges, `local` (any non-global address) or `all`: TRUSTED_PROXIES or IP_HEADER_TRUSTED_PROXIES. */
  trustedProxies: string[];
  log: { level: string; file: string | null; format: 'json' | 'pretty'; bufferBytes: number };
  signupsAllowed: boolean;
  signupsDomainsWhitelist: string[];
  /** SIGNUPS_VERIFY (and its resend time in seconds and limit, 0 = none): new accounts verify their address before logging in (with mail). */
  signupsVerify: { enabled: boolean; resendSeconds: number; resendLimit: number };
  /** EMAIL_CHANGE_ALLOWED: users may change their account email. */
  emailChangeAllowed: boolean;
  /** REQUIRE_DEVICE_EMAIL: a login from a new device fails unless its "new device" mail can be sent. */
  requireDeviceEmail: boolean;
  /** Who may create organizations (ORG_CREATION_USERS): everyone, or only the listed emails (none when empty). */
  orgCreationUsers: { everyone: boolean; emails: string[] };
  invitationsAllowed: boolean;
  /** Lifetime of an organization invitation's accept token (INVITATION_EXPIRATION_HOURS). */
  invitationExpirationHours: number;
  /** ORG_GROUPS_ENABLED: organization groups (routes, `useGroups` in the profile). */
  orgGroupsEnabled: boolean;
  passwordIterations: number;
  accessTokenLifetimeSeconds: number;
  /** A refresh token unused this long is refused; each refresh restarts the window. */
  refreshTokenIdleDays: number;
  loginRateLimit: { seconds: number; maxBurst: number };
  /** The global gate on server-side password hashing. */
  passwordHashing: { concurrency: number; queue: number };
  adminToken: string | null;
  /** The admin panel: open without a token (DISABLE_ADMIN_TOKEN), session minutes, login rate limit per address. */
  admin: { disableToken: boolean; sessionMinutes: number; rateLimit: { seconds: number; maxBurst: number } };
  /** TRASH_AUTO_DELETE_DAYS; null (unset) = trashed items are never purged, 0 = purged at the next pass. */
  trashAutoDeleteDays: number | null;
  /** Prometheus metrics at /metrics (METRICS_ENABLED) and the bearer token it demands (METRICS_TOKEN). */
  metrics: { enabled: boolean; token: string | null };
  /** The web vault build served at the base path (WEB_VAULT_ENABLED, WEB_VAULT_FOLDER). */
  webVault: { enabled: boolean; folder: string };
  /** Sends: allowed at all (SENDS_ALLOWED), where their files live, the per-user quota in bytes, the purge schedule. */
  sends: { allowed: boolean; folder: string; userLimitBytes: number | null; purgeSchedule: string | null };
  /** Files on items: where they live, and the per-user and per-organization quotas in bytes (null = no limit). */
  attachments: { folder: string; userLimitBytes: number | null; orgLimitBytes: number | null };
  /** AUTH_REQUEST_PURGE_SCHEDULE: cron with seconds, in UTC; null (set empty) = the purge never runs. */
  authRequestPurgeSchedule: string | null;
  /** Master password hints: stored at all (PASSWORD_HINTS_ALLOWED); answered in the response instead of mailed, when mail is off (SHOW_PASSWORD_HINT). */
  passwordHints: { allowed: boolean; show: boolean };
  /** Emergency access: allowed (EMERGENCY_ACCESS_ALLOWED); the auto-approval and reminder schedules (cron with seconds, UTC; null = off). */
  emergencyAccess: { allowed: boolean; timeoutSchedule: string | null; reminderSchedule: string | null };
  icons: IconsConfig;
  unauthenticatedRateLimit: { seconds: number; maxBurst: number };
  push: PushConfig;
  mail: MailConfig;
  twoFactor: TwoFactorConfig;
  hub: {
    enabled: boolean;
    maxConnections: number;
    maxConnectionsPerIp: number;
    maxConnectionsPerUser: number;
    pingIntervalMs: number;
    handshakeTimeoutMs: number;
    idleTimeoutMs: number;
    queueMaxMessages: number;
    queueMaxBytes: number;
    stallTimeoutMs: number;
    revalidateMs: number;
    /** Redis URL of the cross-instance delivery bus; null = in-process bus (one instance). Secret (may hold a password). */
    redisUrl: string | null;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface LoadedConfig { config: AppConfig; warnings: string[] }

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** Reads `.env` (if present) under the real environment: real variables win. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  const envFile = env.ENV_FILE ?? join(cwd, '.env');
  if (existsSync(envFile)) Object.assign(merged, parseDotenv(readFileSync(envFile)));
  for (const [key, value] of Object.entries(env)) merged[key] = value;
  return merged;
}

/**
 * Hashes that may run at once by default: one core is left for the event loop (sockets, HTTP) and one pool
 * thread for file and DNS work, so a flood of guesses slows logins, not everything else.
 */
export function defaultHashConcurrency(raw: Record<string, string | undefined>, cores = availableParallelism()): number {
  return Math.max(1, Math.min(threadPoolSize(raw) - 1, cores - 1));
}

/**
 * Parses and validates the configuration once; collects every problem. Sources, strongest first: config.json
 * (Vaultwarden's admin panel file, config-file.ts), the variables in `env`, NAME_FILE for any NAME.
 */
export function loadConfig(env: Record<string, string | undefined>): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const values = new Map<string, unknown>();
  /** Variables given a value (by the environment, a _FILE or config.json), as opposed to defaulted. */
  const present = new Set<string>();
  const file = readConfigFile(env);
  problems.push(...file.problems);
  warnings.push(...file.warnings);
  const raw = overlayConfigFile(env, file, warnings);

  for (const spec of ENV_SCHEMA) {
    const found = lookup(raw, spec, problems);
    if (found !== undefined) present.add(spec.name);
    if (spec.obsolete) {
      if (found !== undefined) {
        warnings.push(`${spec.name} is obsolete and ignored: WebSocket notifications are served on the main port at /notifications/hub and /notifications/anonymous-hub. Remove the variable and any proxy rule that sends /notifications/hub to port 3012.`);
      }
      continue;
    }
    // An empty byte size means unset (its default), never 0 or no limit.
    const text = found === '' && spec.kind === 'bytes' ? spec.default : found ?? spec.default;
    if (text === undefined || (text === '' && spec.kind !== 'list' && spec.kind !== 'string')) {
      values.set(spec.name, undefined);
      continue;
    }
    const parsed = parseValue(spec, text);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      problems.push(`${spec.name}: ${parsed.error}`);
    } else {
      values.set(spec.name, parsed);
    }
  }
  warnUnknown(raw, file, warnings);
  if (problems.length > 0) throw new ConfigError(problems);

  const get = <T>(name: string): T => values.get(name) as T;
  const domain = get<URL>('DOMAIN');
  const basePath = domain.pathname.replace(/\/+$/, '');
  const dataFolder = resolve(get<string>('DATA_FOLDER'));
  const tls = parseTls(get<string | undefined>('ROCKET_TLS'), problems);
  const database = parseDatabase(get<string | undefined>('DATABASE_URL'), dataFolder, problems, warnings);
  const trustedProxies = chooseTrustedProxies(get, present, problems, warnings);
  const logLevel = parseLogLevel(get<string | undefined>('LOG_LEVEL') ?? 'info');
  if ('error' in logLevel) problems.push(`LOG_LEVEL: ${logLevel.error}`);
  else if (logLevel.ignored.length > 0) warnings.push(`LOG_LEVEL: per-module levels are not supported; the level is ${logLevel.level} for everything, and ${logLevel.ignored.join(', ')} ${logLevel.ignored.length === 1 ? 'is' : 'are'} ignored.`);
  const push = parsePush(get, problems, warnings);
  const mail = parseMail(get, raw, problems, warnings);
  if (!mail.enabled && get<boolean>('SIGNUPS_VERIFY')) warnings.push('SIGNUPS_VERIFY=true has no effect without mail (SMTP_HOST and SMTP_FROM, or USE_SENDMAIL): addresses are not verified.');
  if (!mail.enabled && get<boolean>('REQUIRE_DEVICE_EMAIL')) warnings.push('REQUIRE_DEVICE_EMAIL=true without mail: every login from a device an account has not used before is refused.');
  const redisUrl = parseRedisUrl(get<string | undefined>('REDIS_URL'), problems);
  const authRequestPurgeSchedule = parseSchedule('AUTH_REQUEST_PURGE_SCHEDULE', get<string | undefined>('AUTH_REQUEST_PURGE_SCHEDULE'), problems);
  const sendPurgeSchedule = parseSchedule('SEND_PURGE_SCHEDULE', get<string | undefined>('SEND_PURGE_SCHEDULE'), problems);
  const emergencyTimeoutSchedule = parseSchedule('EMERGENCY_REQUEST_TIMEOUT_SCHEDULE', get<string | undefined>('EMERGENCY_REQUEST_TIMEOUT_SCHEDULE'), problems);
  const emergencyReminderSchedule = parseSchedule('EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE', get<string | undefined>('EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE'), problems);
  const icons = parseIcons(get, dataFolder, problems);
  const incompleteTwoFactorSchedule = parseSchedule('INCOMPLETE_2FA_SCHEDULE', get<string | undefined>('INCOMPLETE_2FA_SCHEDULE'), problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const ipHeader = get<string>('IP_HEADER');
  const config: AppConfig = {
    domain,
    basePath,
    publicUrl: `${domain.origin}${basePath}`,
    address: get<string>('ROCKET_ADDRESS'),
    port: get<number>('ROCKET_PORT'),
    tls,
    dataFolder,
    database: { ...database, migrateOnStart: get<boolean>('DATABASE_MIGRATE_ON_START'), busyTimeoutMs: get<number>('SQLITE_BUSY_TIMEOUT_MS') },
    requestBodyLimit: get<number>('REQUEST_BODY_LIMIT'),
    bulkRequestBodyLimit: Math.max(get<number>('REQUEST_BODY_LIMIT'), get<number>('BULK_REQUEST_BODY_LIMIT')),
    ipHeader: ipHeader.toLowerCase() === 'none' ? null : ipHeader.toLowerCase(),
    trustedProxies,
    log: { level: 'level' in logLevel ? logLevel.level : 'info', file: get<string | undefined>('LOG_FILE') ?? null, format: get<'json' | 'pretty'>('LOG_FORMAT'), bufferBytes: get<number>('LOG_BUFFER_SIZE') },
    signupsAllowed: get<boolean>('SIGNUPS_ALLOWED'),
    signupsDomainsWhitelist: get<string[]>('SIGNUPS_DOMAINS_WHITELIST').map((d) => d.toLowerCase()),
    signupsVerify: { enabled: get<boolean>('SIGNUPS_VERIFY'), resendSeconds: get<number>('SIGNUPS_VERIFY_RESEND_TIME'), resendLimit: get<number>('SIGNUPS_VERIFY_RESEND_LIMIT') },
    emailChangeAllowed: get<boolean>('EMAIL_CHANGE_ALLOWED'),
    requireDeviceEmail: get<boolean>('REQUIRE_DEVICE_EMAIL'),
    orgCreationUsers: orgCreationUsers(get<string[]>('ORG_CREATION_USERS')),
    invitationsAllowed: get<boolean>('INVITATIONS_ALLOWED'),
    invitationExpirationHours: get<number>('INVITATION_EXPIRATION_HOURS'),
    orgGroupsEnabled: get<boolean>('ORG_GROUPS_ENABLED'),
    passwordIterations: get<number>('PASSWORD_ITERATIONS'),
    accessTokenLifetimeSeconds: get<number>('ACCESS_TOKEN_LIFETIME_SECONDS'),
    refreshTokenIdleDays: get<number>('REFRESH_TOKEN_IDLE_DAYS'),
    loginRateLimit: { seconds: get<number>('LOGIN_RATELIMIT_SECONDS'), maxBurst: get<number>('LOGIN_RATELIMIT_MAX_BURST') },
    passwordHashing: { concurrency: get<number>('PASSWORD_HASH_CONCURRENCY') || defaultHashConcurrency(raw), queue: get<number>('PASSWORD_HASH_QUEUE') },
    adminToken: get<string | undefined>('ADMIN_TOKEN') ?? null,
    admin: Object.freeze({
      disableToken: get<boolean>('DISABLE_ADMIN_TOKEN'),
      sessionMinutes: get<number>('ADMIN_SESSION_LIFETIME'),
      rateLimit: { seconds: get<number>('ADMIN_RATELIMIT_SECONDS'), maxBurst: get<number>('ADMIN_RATELIMIT_MAX_BURST') },
    }),
    trashAutoDeleteDays: get<number | undefined>('TRASH_AUTO_DELETE_DAYS') ?? null,
    metrics: Object.freeze({ enabled: get<boolean>('METRICS_ENABLED'), token: get<string | undefined>('METRICS_TOKEN') ?? null }),
    webVault: Object.freeze({ enabled: get<boolean>('WEB_VAULT_ENABLED'), folder: resolve(get<string>('WEB_VAULT_FOLDER')) }),
    sends: Object.freeze({
      allowed: get<boolean>('SENDS_ALLOWED'),
      folder: resolve(get<string | undefined>('SENDS_FOLDER') ?? join(dataFolder, 'sends')),
      userLimitBytes: kilobytes(get<number | undefined>('USER_SEND_LIMIT')),
      purgeSchedule: sendPurgeSchedule,
    }),
    attachments: Object.freeze({
      folder: resolve(get<string | undefined>('ATTACHMENTS_FOLDER') ?? join(dataFolder, 'attachments')),
      userLimitBytes: kilobytes(get<number | undefined>('USER_ATTACHMENT_LIMIT')),
      orgLimitBytes: kilobytes(get<number | undefined>('ORG_ATTACHMENT_LIMIT')),
    }),
    authRequestPurgeSchedule,
    passwordHints: Object.freeze({ allowed: get<boolean>('PASSWORD_HINTS_ALLOWED'), show: get<boolean>('SHOW_PASSWORD_HINT') }),
    emergencyAccess: Object.freeze({ allowed: get<boolean>('EMERGENCY_ACCESS_ALLOWED'), timeoutSchedule: emergencyTimeoutSchedule, reminderSchedule: emergencyReminderSchedule }),
    icons: Object.freeze(icons),
    unauthenticatedRateLimit: { seconds: get<number>('UNAUTHENTICATED_RATELIMIT_SECONDS'), maxBurst: get<number>('UNAUTHENTICATED_RATELIMIT_MAX_BURST') },
    push: Object.freeze(push),
    mail: Object.freeze(mail),
    twoFactor: Object.freeze({
      disableTimeDrift: get<boolean>('AUTHENTICATOR_DISABLE_TIME_DRIFT'),
      disableRemember: get<boolean>('DISABLE_2FA_REMEMBER'),
      incompleteTimeLimitMinutes: get<number>('INCOMPLETE_2FA_TIME_LIMIT'),
      incompleteSchedule: incompleteTwoFactorSchedule,
      emailTokenSize: get<number>('EMAIL_TOKEN_SIZE'),
      emailExpirationSeconds: get<number>('EMAIL_EXPIRATION_TIME'),
      emailAttemptsLimit: get<number>('EMAIL_ATTEMPTS_LIMIT'),
    }),
    hub: {
      enabled: get<boolean>('ENABLE_WEBSOCKET'),
      maxConnections: get<number>('HUB_MAX_CONNECTIONS'),
      maxConnectionsPerIp: get<number>('HUB_MAX_CONNECTIONS_PER_IP'),
      maxConnectionsPerUser: get<number>('HUB_MAX_CONNECTIONS_PER_USER'),
      pingIntervalMs: get<number>('HUB_PING_INTERVAL_SECONDS') * 1000,
      handshakeTimeoutMs: get<number>('HUB_HANDSHAKE_TIMEOUT_SECONDS') * 1000,
      idleTimeoutMs: get<number>('HUB_IDLE_TIMEOUT_SECONDS') * 1000,
      queueMaxMessages: get<number>('HUB_QUEUE_MAX_MESSAGES'),
      queueMaxBytes: get<number>('HUB_QUEUE_MAX_BYTES'),
      stallTimeoutMs: get<number>('HUB_STALL_TIMEOUT_SECONDS') * 1000,
      revalidateMs: get<number>('HUB_REVALIDATE_SECONDS') * 1000,
      redisUrl,
    },
  };
  return { config: Object.freeze(config), warnings };
}

/**
 * The text of a variable: NAME, or the trimmed content of the file NAME_FILE names (any variable, as Vaultwarden
 * reads them); aliases after the name. Both NAME and NAME_FILE set is refused, as Vaultwarden refuses it.
 */
function lookup(raw: Record<string, string | undefined>, spec: EnvVarSpec, problems: string[]): string | undefined {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    const value = raw[name];
    const file = raw[`${name}_FILE`];
    if (value !== undefined && file !== undefined) {
      problems.push(`${name}: ${name} and ${name}_FILE are both set; set only one of them`);
      return undefined;
    }
    if (value !== undefined) return value;
    if (file !== undefined) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problems.push(`${name}_FILE: cannot read the file it names (${code ?? 'error'}); expected a readable file holding the value of ${name}`);
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The environment with config.json laid over it: a variable the file sets replaces the environment's value, its
 * NAME_FILE and its aliases (as in Vaultwarden, where the admin panel's file wins); a warning lists them.
 */
function overlayConfigFile(env: Record<string, string | undefined>, file: ConfigFileLayer, warnings: string[]): Record<string, string | undefined> {
  const merged = { ...env };
  const overridden: string[] = [];
  const claimed = new Set<string>();
  for (const spec of ENV_SCHEMA) {
    const names = [spec.name, ...(spec.aliases ?? [])];
    const fromFile = names.find((name) => file.values[name] !== undefined);
    if (fromFile === undefined) continue;
    for (const name of names) {
      claimed.add(name);
      if (env[name] !== undefined || env[`${name}_FILE`] !== undefined) overridden.push(name);
      delete merged[name];
      delete merged[`${name}_FILE`];
    }
    merged[fromFile] = file.values[fromFile];
  }
  for (const [name, value] of Object.entries(file.values)) if (!claimed.has(name)) merged[name] = value;
  if (overridden.length > 0) warnings.push(`${file.path} overrides the environment for ${overridden.join(', ')} (its settings win, as in Vaultwarden); change them there or remove them from the file.`);
  return merged;
}

/**
 * TRUSTED_PROXIES, or Vaultwarden's IP_HEADER_TRUSTED_PROXIES when only that one is set (both: TRUSTED_PROXIES wins,
 * with a warning). Entries are checked: an address, a CIDR range, `local` or `all`.
 */
function chooseTrustedProxies(get: <T>(name: string) => T, present: Set<string>, problems: string[], warnings: string[]): string[] {
  const native = present.has('TRUSTED_PROXIES');
  const vaultwarden = present.has('IP_HEADER_TRUSTED_PROXIES');
  if (native && vaultwarden) warnings.push('TRUSTED_PROXIES and IP_HEADER_TRUSTED_PROXIES are both set: TRUSTED_PROXIES is used and IP_HEADER_TRUSTED_PROXIES is ignored. Keep one of them.');
  const name = vaultwarden && !native ? 'IP_HEADER_TRUSTED_PROXIES' : 'TRUSTED_PROXIES';
  const entries = get<string[] | undefined>(name) ?? [];
  const bad = invalidProxyEntries(entries);
  if (bad.length > 0) {
    problems.push(`${name}: ${bad.map((entry) => `"${entry}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not an IP address or CIDR range; expected local (any non-global address), all, or a comma-separated list of addresses and CIDR ranges, e.g. 10.0.0.0/8,fd00::/8,192.0.2.10`);
  }
  return entries;
}

function parseValue(spec: EnvVarSpec, text: string): unknown {
  const value = text.trim();
  switch (spec.kind) {
    case 'boolean': {
      const lower = value.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      return { error: `"${value}" is not a boolean; expected one of true/t/yes/y/1 or false/f/no/n/0` };
    }
    case 'integer': {
      if (!/^-?\d+$/.test(value)) return { error: `"${value}" is not a whole number; expected an integer between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}` };
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return { error: `${n} is out of range; expected an integer between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}` };
      }
      return n;
    }
    case 'bytes':
      return parseBytes(value, spec);
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return { error: `"${value}" is not an absolute URL; expected the form https://vault.example.com[/path]` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `"${value}" must start with http:// or https://` };
      if (url.search !== '' || url.hash !== '') return { error: `"${value}" must not carry a query string or fragment; expected https://vault.example.com[/path]` };
      return url;
    }
    case 'enum': {
      const lower = value.toLowerCase();
      if (!spec.values?.includes(lower)) return { error: `"${value}" is not accepted; expected one of ${spec.values?.join(', ') ?? ''}` };
      return lower;
    }
    case 'list':
      return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'secret':
    case 'string':
      return value === '' ? undefined : value;
  }
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Human form of a byte count for messages: 1048576 → "1048576 (1M)". */
const describeBytes = (n: number): string => {
  const unit = (['g', 'm', 'k'] as const).find((u) => n >= BYTE_UNITS[u]! && n % BYTE_UNITS[u]! === 0);
  return unit ? `${n} (${n / BYTE_UNITS[unit]!}${unit.toUpperCase()})` : String(n);
};

/** Plain bytes or a whole number with K, M or G, optionally followed by B or iB, in any case; 1K = 1024. */
export function parseBytes(value: string, spec: Pick<EnvVarSpec, 'min' | 'max'> = {}): number | { error: string } {
  const match = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(value);
  const range = `between ${spec.min !== undefined ? describeBytes(spec.min) : '0'} and ${spec.max !== undefined ? describeBytes(spec.max) : '∞'} bytes`;
  if (!match) {
    return { error: `"${value}" is not a byte size; expected a whole number of bytes or one with a unit, e.g. 1048576, 512K, 2M, 1G (KB/KiB, MB/MiB, GB/GiB also accepted, any case; 1K = 1024), ${range}` };
  }
  const n = Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toLowerCase()]!;
  if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    return { error: `"${value}" is out of range; expected ${range}` };
  }
  return n;
}

/** ORG_CREATION_USERS as Vaultwarden reads it: empty = everyone, `none` = nobody, else the listed emails. */
function orgCreationUsers(list: string[]): { everyone: boolean; emails: string[] } {
  const emails = list.map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (emails.length === 0) return { everyone: true, emails: [] };
  if (emails.length === 1 && emails[0] === 'none') return { everyone: false, emails: [] };
  return { everyone: false, emails };
}

const KNOWN_PREFIXES = ['PUSH_', 'REDIS_', 'WEBSOCKET_', 'DATABASE_', 'HUB_', 'LOG_', 'SIGNUPS_', 'ROCKET_', 'LOGIN_', 'REFRESH_TOKEN_', 'ORG_', 'INVITATIONS_', 'INVITATION_', 'SMTP_', 'MAIL_', 'SENDMAIL_'];

/**
 * Warnings for what is set but not read: Vaultwarden settings this server does not have (one line for all, from the
 * environment, NAME_FILE or config.json), config.json keys that are nobody's, and, for other unknown variables with a
 * known prefix, a did-you-mean.
 */
function warnUnknown(raw: Record<string, string | undefined>, file: ConfigFileLayer, warnings: string[]): void {
  const known = new Set<string>();
  for (const spec of ENV_SCHEMA) for (const name of [spec.name, ...(spec.aliases ?? [])]) known.add(name);
  const unsupported = new Set<string>();
  const fileKeys = new Set(Object.keys(file.values));
  for (const name of Object.keys(raw)) {
    const base = name.endsWith('_FILE') && !known.has(name) ? name.slice(0, -'_FILE'.length) : name;
    if (known.has(base)) continue;
    if (VAULTWARDEN_VARIABLES.has(base)) {
      unsupported.add(base);
      continue;
    }
    if (fileKeys.has(name)) continue;
    const prefix = KNOWN_PREFIXES.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const candidates = [...known].filter((k) => k.startsWith(prefix));
    warnings.push(`${name} is not a known variable${candidates.length ? `; did you mean one of ${candidates.join(', ')}?` : ''}`);
  }
  const strangers = [...[...fileKeys].filter((name) => !known.has(name) && !VAULTWARDEN_VARIABLES.has(name)).map((name) => name.toLowerCase()), ...file.badKeys];
  if (strangers.length > 0) warnings.push(`${file.path}: ${strangers.map((key) => `"${key}"`).join(', ')} ${strangers.length === 1 ? 'is not a known setting; it is' : 'are not known settings; they are'} ignored.`);
  const names = [...unsupported].sort();
  if (names.length === 1) warnings.push(`${names[0]} is a Vaultwarden setting this server does not support; it is ignored.`);
  else if (names.length > 1) warnings.push(`${names.join(', ')} are Vaultwarden settings this server does not support; they are ignored.`);
}

function parseTls(value: string | undefined, problems: string[]): TlsConfig | null {
  if (value === undefined) return null;
  const certs = /certs\s*=\s*"([^"]+)"/.exec(value)?.[1];
  const key = /key\s*=\s*"([^"]+)"/.exec(value)?.[1];
  if (!certs || !key) {
    problems.push(`ROCKET_TLS: "${value}" is not understood; expected {certs="/path/cert.pem",key="/path/key.pem"}`);
    return null;
  }
  for (const [what, path] of [['certs', certs], ['key', key]] as const) {
    if (!existsSync(path)) problems.push(`ROCKET_TLS: ${what} file "${path}" does not exist; expected {certs="/path/cert.pem",key="/path/key.pem"}`);
  }
  return { certPath: certs, keyPath: key };
}

/** A Vaultwarden KB limit in bytes; unset stays null (no limit). */
function kilobytes(value: number | undefined): number | null {
  return value === undefined ? null : value * 1024;
}

/**
 * DATABASE_URL: unset = SQLite in DATA_FOLDER; sqlite:// or a path; postgresql:// or postgres://; mysql://; or
 * PostgreSQL's keyword/value form (`host=db dbname=vault user=vw password=…`), turned into a postgresql:// URL.
 * The value may hold a password: no message repeats it.
 */
function parseDatabase(value: string | undefined, dataFolder: string, problems: string[], warnings: string[]): { type: DatabaseType; url: string | null; sqlitePath: string | null } {
  if (value === undefined) return { type: 'better-sqlite3', url: null, sqlitePath: join(dataFolder, 'db.sqlite3') };
  if (/^postgres(ql)?:\/\//i.test(value)) return { type: 'postgres', url: value, sqlitePath: null };
  if (/^mysql:\/\//i.test(value)) return { type: 'mysql', url: value, sqlitePath: null };
  if (/^[A-Za-z_]+\s*=/.test(value)) {
    const converted = pgConninfoToUrl(value);
    if ('error' in converted) {
      problems.push(`DATABASE_URL: not a valid PostgreSQL keyword/value connection string (${converted.error}); expected e.g. host=db port=5432 dbname=vaultwarden user=vaultwarden password='secret' sslmode=require, or a URL`);
      return { type: 'better-sqlite3', url: null, sqlitePath: null };
    }
    if (converted.ignored.length > 0) warnings.push(`DATABASE_URL: ${converted.ignored.join(', ')} ${converted.ignored.length === 1 ? 'is' : 'are'} not used by this server's PostgreSQL driver and ignored.`);
    return { type: 'postgres', url: converted.url, sqlitePath: null };
  }
  const sqlite = /^sqlite:\/\/(.+)$/i.exec(value)?.[1];
  const path = sqlite ?? (value.includes('://') ? undefined : value);
  if (path === undefined) {
    problems.push('DATABASE_URL: unsupported scheme; expected sqlite:///path/db.sqlite3, a file path, postgresql://user:pass@host/db or mysql://user:pass@host/db');
    return { type: 'better-sqlite3', url: null, sqlitePath: null };
  }
  return { type: 'better-sqlite3', url: null, sqlitePath: isAbsolute(path) ? path : resolve(path) };
}

/** A Vaultwarden-style cron schedule (`30 * * * * *`); empty (undefined) disables the job. */
function parseSchedule(name: string, value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  const problem = cronScheduleProblem(value);
  if (problem === null) return value;
  problems.push(`${name}: "${value}" is not a cron schedule (${problem}); expected six fields "second minute hour day-of-month month day-of-week" in UTC, e.g. "30 * * * * *" (every minute at second 30), or an empty value to disable the job`);
  return null;
}

/** Vaultwarden's named icon services, as URL templates ({} = the domain). */
const ICON_SERVICES: Record<string, string> = {
  bitwarden: 'https://icons.bitwarden.net/{}/icon.png',
  duckduckgo: 'https://icons.duckduckgo.com/ip3/{}.ico',
  google: 'https://www.google.com/s2/favicons?domain={}&sz=32',
};

function parseIcons(get: <T>(name: string) => T, dataFolder: string, problems: string[]): IconsConfig {
  const name = get<string>('ICON_SERVICE').trim();
  let service: IconsConfig['service'] = 'internal';
  if (name.toLowerCase() !== 'internal') {
    const template = ICON_SERVICES[name.toLowerCase()] ?? name;
    if (!/^https?:\/\/[^/]/i.test(template) || template.split('{}').length !== 2) {
      problems.push(`ICON_SERVICE: "${name}" is not internal, bitwarden, duckduckgo, google, or an http(s) URL with one {} where the domain goes`);
    }
    service = { template };
  }
  const redirectCode = get<number>('ICON_REDIRECT_CODE');
  if (![301, 302, 307, 308].includes(redirectCode)) problems.push(`ICON_REDIRECT_CODE: ${redirectCode} is not a redirect status; expected 301, 302, 307 or 308`);
  const regex = get<string | undefined>('HTTP_REQUEST_BLOCK_REGEX');
  let blockRegex: RegExp | null = null;
  if (regex) {
    try {
      blockRegex = new RegExp(regex);
    } catch {
      problems.push('HTTP_REQUEST_BLOCK_REGEX: not a valid regular expression');
    }
  }
  return {
    service,
    redirectCode,
    cacheFolder: resolve(get<string | undefined>('ICON_CACHE_FOLDER') ?? join(dataFolder, 'icon_cache')),
    cacheTtlSeconds: get<number>('ICON_CACHE_TTL'),
    negativeTtlSeconds: get<number>('ICON_CACHE_NEGTTL'),
    downloadTimeoutMs: get<number>('ICON_DOWNLOAD_TIMEOUT') * 1000,
    disableDownload: get<boolean>('DISABLE_ICON_DOWNLOAD'),
    blockNonGlobalIps: get<boolean>('HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS'),
    blockRegex,
  };
}

function parseRedisUrl(value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  if (!/^rediss?:\/\/[^/]/i.test(value)) {
    problems.push('REDIS_URL: unsupported value; expected redis://[:password@]host[:port][/db] or rediss://… for TLS (empty = single instance)');
    return null;
  }
  try {
    new URL(value);
  } catch {
    problems.push('REDIS_URL: not a valid URL; expected redis://[:password@]host[:port][/db]');
    return null;
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const US_PAIR = 'PUSH_RELAY_URI=https://push.bitwarden.com with PUSH_IDENTITY_URI=https://identity.bitwarden.com (US)';
const EU_PAIR = 'PUSH_RELAY_URI=https://api.bitwarden.eu with PUSH_IDENTITY_URI=https://identity.bitwarden.eu (EU)';

type Region = 'US' | 'EU' | null;
function bitwardenRegion(url: URL): Region {
  const host = url.hostname.toLowerCase();
  if (host === 'bitwarden.com' || host.endsWith('.bitwarden.com')) return 'US';
  if (host === 'bitwarden.eu' || host.endsWith('.bitwarden.eu')) return 'EU';
  return null;
}

/** A relay base URL: absolute https, no query or fragment; the trailing slash is removed. */
function parsePushUri(name: string, text: string, problems: string[]): URL | null {
  const value = text.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}: "${value}" is not an absolute URL; expected https://host[/path], e.g. https://push.bitwarden.com`);
    return null;
  }
  if (url.protocol !== 'https:') {
    problems.push(`${name}: "${value}" must start with https:// (the relay is only reached over TLS)`);
    return null;
  }
  if (value.includes('?') || value.includes('#')) {
    problems.push(`${name}: "${value}" must not carry a query string or fragment; expected https://host[/path]`);
    return null;
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${name}: "${value}" must not carry credentials; set PUSH_INSTALLATION_ID and PUSH_INSTALLATION_KEY instead`);
    return null;
  }
  return url;
}

const withoutTrailingSlash = (url: URL): string => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

/** PUSH_* variables and their cross-field rules (notifications.md §10.1). */
function parsePush(get: <T>(name: string) => T, problems: string[], warnings: string[]): PushConfig {
  const enabled = get<boolean>('PUSH_ENABLED');
  const id = get<string | undefined>('PUSH_INSTALLATION_ID');
  const key = get<string | undefined>('PUSH_INSTALLATION_KEY');
  const relayText = get<string | undefined>('PUSH_RELAY_URI') ?? 'https://push.bitwarden.com';
  const identityText = get<string | undefined>('PUSH_IDENTITY_URI') ?? 'https://identity.bitwarden.com';
  const tuning = {
    rateBurst: get<number>('PUSH_RATE_BURST'),
    ratePerSecond: get<number>('PUSH_RATE_PER_SECOND'),
    retryBaseMs: get<number>('PUSH_RETRY_BASE_MS'),
    retryMaxMs: get<number>('PUSH_RETRY_MAX_SECONDS') * 1000,
    timeoutMs: get<number>('PUSH_RELAY_TIMEOUT_SECONDS') * 1000,
    relayConcurrency: get<number>('PUSH_RELAY_CONCURRENCY'),
    userPendingMax: get<number>('PUSH_USER_PENDING_MAX'),
  };
  const disabled: PushConfig = {
    enabled: false, installationId: null, installationKey: null,
    relayUri: relayText.trim().replace(/\/+$/, ''), identityUri: identityText.trim().replace(/\/+$/, ''), ...tuning,
  };
  if (!enabled) {
    if (id !== undefined || key !== undefined) {
      warnings.push('PUSH_INSTALLATION_ID / PUSH_INSTALLATION_KEY are set but PUSH_ENABLED is false: mobile push is disabled. Set PUSH_ENABLED=true to use the relay, or remove the variables.');
    }
    return disabled;
  }
  const before = problems.length;
  const host = 'get an installation id and key at https://bitwarden.com/host (EU: https://bitwarden.eu/host)';
  if (id === undefined) problems.push(`PUSH_INSTALLATION_ID: required when PUSH_ENABLED=true; ${host}`);
  else if (!UUID.test(id)) problems.push(`PUSH_INSTALLATION_ID: the value is not an installation id; expected a UUID such as 0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a (${host})`);
  if (key === undefined) problems.push(`PUSH_INSTALLATION_KEY: required when PUSH_ENABLED=true; ${host}`);
  const relay = parsePushUri('PUSH_RELAY_URI', relayText, problems);
  const identity = parsePushUri('PUSH_IDENTITY_URI', identityText, problems);
  if (relay && identity) {
    const relayRegion = bitwardenRegion(relay);
    const identityRegion = bitwardenRegion(identity);
    if (relayRegion && identityRegion && relayRegion !== identityRegion) {
      problems.push(`PUSH_RELAY_URI: ${relay.host} (${relayRegion}) and PUSH_IDENTITY_URI ${identity.host} (${identityRegion}) are in different regions; the relay would never accept the token. Use ${US_PAIR}, or ${EU_PAIR}, matching the region where the installation was created`);
    }
    if (relay.hostname.toLowerCase() === 'push.bitwarden.eu') {
      warnings.push(`PUSH_RELAY_URI=${withoutTrailingSlash(relay)} is not a documented relay host; the EU relay is https://api.bitwarden.eu (${EU_PAIR}).`);
    }
  }
  if (problems.length > before || !relay || !identity || id === undefined || key === undefined) return disabled;
  return { enabled: true, installationId: id.toLowerCase(), installationKey: key, relayUri: withoutTrailingSlash(relay), identityUri: withoutTrailingSlash(identity), ...tuning };
}

/** Configuration with secrets masked, for diagnostics. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    domain: config.publicUrl,
    address: config.address,
    port: config.port,
    tls: config.tls !== null,
    database: config.database.type,
    dataFolder: config.dataFolder,
    signupsAllowed: config.signupsAllowed,
    websocket: config.hub.enabled,
    redis: config.hub.redisUrl !== null,
    adminToken: config.adminToken ? '***' : null,
    push: config.push.enabled
      ? { enabled: true, relayUri: config.push.relayUri, identityUri: config.push.identityUri, installationId: '***', installationKey: '***' }
      : { enabled: false },
    mail: describeMail(config.mail),
  };
}

const SMTP_DEFAULT_PORT: Record<SmtpSecurity, number> = { force_tls: 465, starttls: 587, off: 25 };
const AUTH_MECHANISMS: Record<string, SmtpAuthMechanism> = { plain: 'PLAIN', login: 'LOGIN', xoauth2: 'XOAUTH2' };
/** Good enough for a sender address: one @, no spaces, quotes, brackets or separators. */
const SENDER_ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+$/;

/**
 * SMTP_* / USE_SENDMAIL / SENDMAIL_COMMAND, with Vaultwarden's rules: mail is on with SMTP_HOST and SMTP_FROM, or
 * with USE_SENDMAIL and SMTP_FROM; SMTP_USERNAME and SMTP_PASSWORD go together; SMTP_PORT follows SMTP_SECURITY.
 */
function parseMail(get: <T>(name: string) => T, raw: Record<string, string | undefined>, problems: string[], warnings: string[]): MailConfig {
  const host = get<string | undefined>('SMTP_HOST')?.trim();
  const from = get<string | undefined>('SMTP_FROM')?.trim();
  const username = get<string | undefined>('SMTP_USERNAME');
  const password = get<string | undefined>('SMTP_PASSWORD');
  const useSendmail = get<boolean>('USE_SENDMAIL');
  const retry = { retryBaseMs: get<number>('MAIL_RETRY_BASE_MS'), retryMaxMs: get<number>('MAIL_RETRY_MAX_SECONDS') * 1000 };
  const fromName = get<string | undefined>('SMTP_FROM_NAME')?.trim() || 'Vaultwave';
  const off: MailConfig = { enabled: false, transport: null, smtp: null, sendmailCommand: null, from: '', fromName, ...retry };
  const before = problems.length;

  let security = get<SmtpSecurity>('SMTP_SECURITY');
  const ssl = get<boolean | undefined>('SMTP_SSL');
  const explicitTls = get<boolean | undefined>('SMTP_EXPLICIT_TLS');
  if (ssl !== undefined || explicitTls !== undefined) {
    if (raw.SMTP_SECURITY === undefined && raw.SMTP_SECURITY_FILE === undefined) {
      security = explicitTls === true ? 'force_tls' : ssl === false ? 'off' : 'starttls';
      warnings.push(`SMTP_SSL / SMTP_EXPLICIT_TLS are deprecated: read as SMTP_SECURITY=${security}. Set SMTP_SECURITY (starttls, force_tls or off) and remove them.`);
    } else {
      warnings.push('SMTP_SSL / SMTP_EXPLICIT_TLS are deprecated and ignored because SMTP_SECURITY is set. Remove them.');
    }
  }

  if (!useSendmail && host === undefined) {
    if (from !== undefined) problems.push('SMTP_HOST: required when SMTP_FROM is set (or set USE_SENDMAIL=true); set SMTP_HOST and SMTP_FROM to enable mail, or neither');
    if (username !== undefined || password !== undefined) warnings.push('SMTP_USERNAME / SMTP_PASSWORD are set but SMTP_HOST is not: mail is disabled.');
    return off;
  }
  if (from === undefined) {
    problems.push(`SMTP_FROM: required when ${useSendmail ? 'USE_SENDMAIL=true' : 'SMTP_HOST is set'}; expected the sender address, e.g. vault@example.com`);
  } else if (!SENDER_ADDRESS.test(from)) {
    problems.push(`SMTP_FROM: "${from}" is not an email address; expected the sender address, e.g. vault@example.com`);
  }

  if (useSendmail) {
    const command = get<string | undefined>('SENDMAIL_COMMAND')?.trim() || 'sendmail';
    const resolved = resolveCommand(command, raw.PATH);
    if (resolved === null) {
      problems.push(`SENDMAIL_COMMAND: "${command}" ${command.includes('/') ? 'is not an executable file' : 'was not found in PATH'}; expected the path of sendmail (e.g. /usr/sbin/sendmail) or a command name in PATH`);
    }
    if (problems.length > before || resolved === null || from === undefined) return off;
    return { enabled: true, transport: 'sendmail', smtp: null, sendmailCommand: resolved, from, fromName, ...retry };
  }

  if (host === '' || /[\s/]/.test(host!)) {
    problems.push(`SMTP_HOST: "${host}" is not a host name; expected a name or address without scheme or path, e.g. smtp.example.com`);
  }
  if (username !== undefined && password === undefined) problems.push('SMTP_PASSWORD: required when SMTP_USERNAME is set (SMTP_PASSWORD_FILE is accepted); set both, or neither for no authentication');
  if (password !== undefined && username === undefined) problems.push('SMTP_USERNAME: required when SMTP_PASSWORD is set; set both, or neither for no authentication');
  const authMechanisms: SmtpAuthMechanism[] = [];
  for (const item of (get<string | undefined>('SMTP_AUTH_MECHANISM') ?? '').split(',')) {
    const name = item.trim().replace(/^["']|["']$/g, '').toLowerCase();
    if (name === '') continue;
    const mechanism = AUTH_MECHANISMS[name];
    if (mechanism === undefined) {
      problems.push(`SMTP_AUTH_MECHANISM: "${item.trim()}" is not supported; expected a comma-separated list of Plain, Login, Xoauth2`);
    } else if (!authMechanisms.includes(mechanism)) {
      authMechanisms.push(mechanism);
    }
  }
  const acceptInvalidCerts = get<boolean>('SMTP_ACCEPT_INVALID_CERTS');
  const acceptInvalidHostnames = get<boolean>('SMTP_ACCEPT_INVALID_HOSTNAMES');
  if (security === 'off' && password !== undefined) {
    warnings.push('SMTP_SECURITY=off with SMTP_USERNAME/SMTP_PASSWORD: the password crosses the network unencrypted. Use starttls or force_tls unless the server is on this host.');
  }
  if (acceptInvalidCerts) warnings.push('SMTP_ACCEPT_INVALID_CERTS=true: any certificate is accepted from the SMTP server; anyone on the path can read the mail and the SMTP password.');
  if (acceptInvalidHostnames) warnings.push('SMTP_ACCEPT_INVALID_HOSTNAMES=true: a certificate for another host name is accepted from the SMTP server; anyone on the path can read the mail and the SMTP password.');
  if (problems.length > before || from === undefined || host === undefined) return off;
  return {
    enabled: true,
    transport: 'smtp',
    smtp: {
      host,
      port: get<number | undefined>('SMTP_PORT') ?? SMTP_DEFAULT_PORT[security],
      security,
      username: username ?? null,
      password: password ?? null,
      authMechanisms,
      timeoutMs: get<number>('SMTP_TIMEOUT') * 1000,
      acceptInvalidCerts,
      acceptInvalidHostnames,
      heloName: get<string | undefined>('HELO_NAME')?.trim() || null,
    },
    sendmailCommand: null,
    from,
    fromName,
    ...retry,
  };
}

/** An executable file: `command` itself when it is a path, else its first match in PATH; null when there is none. */
function resolveCommand(command: string, path: string | undefined): string | null {
  const executable = (file: string): boolean => {
    try {
      if (!statSync(file).isFile()) return false;
      accessSync(file, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(resolve(command)) ? resolve(command) : null;
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    if (executable(candidate)) return candidate;
  }
  return null;
}

/** Mail settings for diagnostics: the transport and where it goes, never the credentials. */
function describeMail(mail: MailConfig): Record<string, unknown> {
  if (!mail.enabled) return { enabled: false };
  if (mail.transport === 'sendmail') return { enabled: true, transport: 'sendmail', command: mail.sendmailCommand, from: mail.from };
  const smtp = mail.smtp!;
  return {
    enabled: true, transport: 'smtp', host: smtp.host, port: smtp.port, security: smtp.security, from: mail.from,
    username: smtp.username === null ? null : '***', password: smtp.password === null ? null : '***',
  };
}
