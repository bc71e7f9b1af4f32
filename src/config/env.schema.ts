/**
 * Every environment variable the server reads, with its kind, default and documentation line.
 * `.env.example` is checked against this list by a unit test, so neither can drift.
 */
/** `bytes`: a whole number of bytes, or one with a unit K, M, G (also KB/KiB, MB/MiB, GB/GiB; 1K = 1024), any case. */
export type EnvKind = 'string' | 'boolean' | 'integer' | 'bytes' | 'url' | 'enum' | 'secret' | 'list';

export interface EnvVarSpec {
  name: string;
  kind: EnvKind;
  /** Default as written in `.env.example`; undefined means "unset". */
  default?: string;
  /** Accepted values for `enum`. */
  values?: readonly string[];
  /** Bounds of `integer` and `bytes` (in bytes). */
  min?: number;
  max?: number;
  /** One line for `.env.example`. */
  doc: string;
  /** Names accepted as aliases (Vaultwarden spellings). The first present wins. */
  aliases?: readonly string[];
  /** Obsolete variables are accepted and produce a warning. */
  obsolete?: string;
}

export const ENV_SCHEMA: readonly EnvVarSpec[] = [
  // --- Server ---
  { name: 'DOMAIN', kind: 'url', default: 'http://localhost:8000', doc: 'Public URL of the server as clients reach it; its path part (e.g. /vault) becomes the base path of every route and hub.' },
  { name: 'ROCKET_ADDRESS', kind: 'string', default: '0.0.0.0', doc: 'Address to bind (Vaultwarden name).' },
  { name: 'ROCKET_PORT', kind: 'integer', default: '8000', min: 0, max: 65535, aliases: ['PORT'], doc: 'Port for HTTP(S) and both WebSocket hubs; PORT is accepted too (Vaultwarden name).' },
  { name: 'ROCKET_TLS', kind: 'string', doc: 'Native HTTPS/WSS: {certs="/path/cert.pem",key="/path/key.pem"} (Vaultwarden form). Unset: plain HTTP behind a TLS proxy.' },
  { name: 'DATA_FOLDER', kind: 'string', default: './data', doc: 'Folder for the SQLite database and the token signing key; created if missing.' },
  { name: 'CONFIG_FILE', kind: 'string', doc: 'Vaultwarden\'s config.json (its admin panel writes it): lower-case variable names as keys, e.g. {"signups_allowed": false}; its settings win over the environment (a warning lists them), unknown keys are warned about, a malformed file stops start-up. Unset = DATA_FOLDER/config.json, read when it exists (Vaultwarden name).' },
  { name: 'DATABASE_URL', kind: 'string', doc: 'Database: unset = SQLite file DATA_FOLDER/db.sqlite3; sqlite:///path, postgresql://user:pass@host/db, PostgreSQL\'s keyword form host=db port=5432 dbname=vault user=vw password=\'p w\' sslmode=require (libpq quoting), or mysql://user:pass@host/db. DATABASE_URL_FILE is accepted.' },
  { name: 'DATABASE_MIGRATE_ON_START', kind: 'boolean', default: 'true', doc: 'Run pending migrations at start-up (false when migrations are run separately with npm run migration:run).' },
  { name: 'SQLITE_BUSY_TIMEOUT_MS', kind: 'integer', default: '5000', min: 0, max: 600000, doc: 'SQLite busy timeout in milliseconds.' },
  { name: 'REQUEST_BODY_LIMIT', kind: 'bytes', default: '2mb', min: 1024, max: 1073741824, doc: 'Largest accepted request body (JSON or form); larger bodies get 413. Bytes, or with a unit: 512K, 2M, 1G (KB/KiB, MB/MiB, GB/GiB too; 1K = 1024).' },
  { name: 'BULK_REQUEST_BODY_LIMIT', kind: 'bytes', default: '20M', min: 1024, max: 1073741824, doc: 'Largest JSON body of the routes that carry a whole vault (item import, user-key rotation); at least REQUEST_BODY_LIMIT. 20M is what Vaultwarden allows (some 5000 items). Bytes, or with a unit: 512K, 20M.' },
  { name: 'IP_HEADER', kind: 'string', default: 'X-Real-IP', doc: 'Header carrying the client IP, trusted only from TRUSTED_PROXIES; "none" to always use the socket address.' },
  { name: 'TRUSTED_PROXIES', kind: 'list', default: '127.0.0.1,::1', doc: 'Proxies whose IP_HEADER / X-Forwarded-For is believed: comma-separated addresses and CIDR ranges (10.0.0.0/8, fd00::/8), local (every address that is not global: loopback, private, link-local, unique-local, …) or all. Wins over IP_HEADER_TRUSTED_PROXIES when both are set (with a warning).' },
  { name: 'IP_HEADER_TRUSTED_PROXIES', kind: 'list', doc: 'Vaultwarden\'s name for TRUSTED_PROXIES, same values (local, all, or addresses and CIDR ranges); used when TRUSTED_PROXIES is unset. Vaultwarden\'s default is local; here, with neither set, the default of TRUSTED_PROXIES applies.' },
  { name: 'WEB_VAULT_ENABLED', kind: 'boolean', default: 'true', doc: 'Serve the web vault from WEB_VAULT_FOLDER at the base path of DOMAIN (Vaultwarden name).' },
  { name: 'WEB_VAULT_FOLDER', kind: 'string', default: 'web-vault/', doc: 'Folder of a web vault build (index.html and its assets), relative to the working directory; without one, / answers a page saying where to put it (Vaultwarden name).' },
  { name: 'METRICS_ENABLED', kind: 'boolean', default: 'false', doc: 'Serve Prometheus metrics at /metrics (sockets, deliveries, relay sends, outbox depth, logins, HTTP latency; no user identifiers).' },
  { name: 'METRICS_TOKEN', kind: 'secret', doc: 'With METRICS_ENABLED: the bearer token /metrics demands (Authorization: Bearer …); unset = no token.' },
  // --- Logging ---
  { name: 'LOG_LEVEL', kind: 'string', default: 'info', doc: 'Log level: trace, debug, info, warn, error or off (any case; fatal and silent too). Vaultwarden\'s per-module form (info,vaultwarden::api=debug) is accepted: its first level is used, the per-module levels are ignored with a warning.' },
  { name: 'LOG_FILE', kind: 'string', doc: 'Also append JSON log lines to this file.' },
  { name: 'LOG_FORMAT', kind: 'enum', default: 'json', values: ['json', 'pretty'], doc: 'json (one JSON object a line) or pretty (one readable line an event).' },
  { name: 'LOG_BUFFER_SIZE', kind: 'bytes', default: '8M', min: 4096, max: 1073741824, doc: 'Log lines are written in the background; each destination (stdout, LOG_FILE) buffers at most this much while its reader is slow, then drops and counts lines instead of slowing the server. Bytes, or with a unit: 512K, 8M.' },
  // --- Accounts and identity ---
  { name: 'SIGNUPS_ALLOWED', kind: 'boolean', default: 'true', doc: 'Allow new account registration.' },
  { name: 'SIGNUPS_DOMAINS_WHITELIST', kind: 'list', default: '', doc: 'Comma-separated email domains allowed to register even when signups are closed; empty = none.' },
  { name: 'SIGNUPS_VERIFY', kind: 'boolean', default: 'false', doc: 'Require new accounts to verify their email address (needs mail): registration sends the verification link, and login is refused until the address is verified (Vaultwarden name).' },
  { name: 'SIGNUPS_VERIFY_RESEND_TIME', kind: 'integer', default: '3600', min: 0, max: 31536000, doc: 'With SIGNUPS_VERIFY: a login refused for an unverified address re-sends the verification mail when the last one is older than this many seconds.' },
  { name: 'SIGNUPS_VERIFY_RESEND_LIMIT', kind: 'integer', default: '6', min: 0, max: 1000000, doc: 'With SIGNUPS_VERIFY: how many verification mails refused logins may re-send to one account; 0 = no limit.' },
  { name: 'EMAIL_CHANGE_ALLOWED', kind: 'boolean', default: 'true', doc: 'Allow users to change their account email (with mail, a 6-digit code is sent to the new address first) (Vaultwarden name).' },
  { name: 'REQUIRE_DEVICE_EMAIL', kind: 'boolean', default: 'false', doc: 'A login from a device the account has never used sends a "new device" mail when mail is configured; true: such logins are refused when that mail cannot be sent (mail not configured) (Vaultwarden name).' },
  { name: 'ORG_CREATION_USERS', kind: 'list', default: '', doc: 'Comma-separated emails of the users who may create organizations; empty = every user, none = nobody.' },
  { name: 'INVITATIONS_ALLOWED', kind: 'boolean', default: 'true', doc: 'Allow organization admins to invite users by email (without mail, existing users join as accepted at once).' },
  { name: 'INVITATION_EXPIRATION_HOURS', kind: 'integer', default: '120', min: 1, max: 87600, doc: 'Hours an organization invitation link (its accept token) stays valid; at least 1 (Vaultwarden name and default: 5 days).' },
  { name: 'ORG_GROUPS_ENABLED', kind: 'boolean', default: 'false', doc: 'Organization groups: owners, admins and custom users with manageGroups create groups and give them collection access (Vaultwarden name). Off: the group routes answer 400, group lists are empty.' },
  { name: 'PASSWORD_ITERATIONS', kind: 'integer', default: '600000', min: 100000, max: 10000000, doc: 'Server-side PBKDF2-SHA256 iterations applied to the master password hash.' },
  { name: 'ACCESS_TOKEN_LIFETIME_SECONDS', kind: 'integer', default: '3600', min: 60, max: 86400, doc: 'Lifetime of access tokens (clients refresh when fewer than 300 s remain).' },
  { name: 'REFRESH_TOKEN_IDLE_DAYS', kind: 'integer', default: '30', min: 1, max: 3650, doc: 'A refresh token unused for this many days is refused (the device must log in again); each refresh restarts the window.' },
  { name: 'LOGIN_RATELIMIT_SECONDS', kind: 'integer', default: '60', min: 1, max: 86400, doc: 'Login rate-limit window (per IP and per account).' },
  { name: 'LOGIN_RATELIMIT_MAX_BURST', kind: 'integer', default: '10', min: 1, max: 100000, doc: 'Failed (and running) login attempts allowed per window for one account from one client address; one address gets twice this over all accounts. Failures on one account from every address beyond it slow further attempts from unknown devices progressively (known devices of the account are not slowed).' },
  { name: 'PASSWORD_HASH_CONCURRENCY', kind: 'integer', default: '0', min: 0, max: 1024, doc: 'Server-side password hashes run at once (login, registration, password change); 0 = one less than the CPU cores and than the libuv thread pool (UV_THREADPOOL_SIZE, default 4), at least 1.' },
  { name: 'PASSWORD_HASH_QUEUE', kind: 'integer', default: '8', min: 0, max: 100000, doc: 'Password hashes that may wait for a free slot, in each of two lanes (devices the account knows and signed-in users first, then everyone else); beyond it the request gets 503 with Retry-After instead of waiting.' },
  { name: 'ADMIN_TOKEN', kind: 'secret', doc: 'Token of the admin panel at /admin: plain text (a warning at start-up) or an Argon2 PHC string as Vaultwarden takes it; unset disables the panel. ADMIN_TOKEN_FILE is accepted.' },
  { name: 'DISABLE_ADMIN_TOKEN', kind: 'boolean', default: 'false', doc: 'Open the admin panel without any token, for a panel already protected by a reverse proxy (Vaultwarden name). Dangerous otherwise.' },
  { name: 'ADMIN_SESSION_LIFETIME', kind: 'integer', default: '20', min: 1, max: 10080, doc: 'Minutes an admin panel login lasts (Vaultwarden name).' },
  { name: 'ADMIN_RATELIMIT_SECONDS', kind: 'integer', default: '300', min: 1, max: 86400, doc: 'Admin login rate-limit window, per client address (Vaultwarden name).' },
  { name: 'ADMIN_RATELIMIT_MAX_BURST', kind: 'integer', default: '3', min: 1, max: 1000, doc: 'Admin login attempts allowed per window from one address (Vaultwarden name).' },
  { name: 'PASSWORD_HINTS_ALLOWED', kind: 'boolean', default: 'true', doc: 'Users may store a master password hint; false: hints are neither stored nor sent (Vaultwarden name).' },
  { name: 'SHOW_PASSWORD_HINT', kind: 'boolean', default: 'false', doc: 'POST /api/accounts/password-hint answers with the hint itself instead of mailing it (only when mail is off); anyone who knows an address then reads its hint (Vaultwarden name).' },
  // --- Emergency access (Vaultwarden names) ---
  { name: 'EMERGENCY_ACCESS_ALLOWED', kind: 'boolean', default: 'true', doc: 'Users may name trusted emergency contacts who can view or take over their vault after a wait time; false: the routes answer 400 and no new contact can be invited.' },
  { name: 'EMERGENCY_REQUEST_TIMEOUT_SCHEDULE', kind: 'string', default: '0 7 * * * *', doc: 'When emergency access requests past their wait time are approved automatically: cron with seconds, in UTC (Vaultwarden form; default minute 7 of every hour); empty disables the job.' },
  { name: 'EMERGENCY_NOTIFICATION_REMINDER_SCHEDULE', kind: 'string', default: '0 3 * * * *', doc: 'When grantors of pending emergency access requests are reminded by mail (at most once a day): cron with seconds, in UTC (Vaultwarden form; default minute 3 of every hour); empty disables the job.' },
  // --- Two-step login (Vaultwarden names) ---
  { name: 'AUTHENTICATOR_DISABLE_TIME_DRIFT', kind: 'boolean', default: 'false', doc: 'Accept only the current 30-second authenticator (TOTP) code; by default the codes of the step before and the step after are accepted too (clock drift). A code, or an older one, is never accepted twice.' },
  { name: 'DISABLE_2FA_REMEMBER', kind: 'boolean', default: 'false', doc: 'Turn off "remember me" of two-step login: every login from every device asks for the second factor (no TwoFactorToken is issued, stored ones are refused).' },
  { name: 'INCOMPLETE_2FA_TIME_LIMIT', kind: 'integer', default: '3', min: 0, max: 10080, doc: 'Minutes after which a login that passed the master password but not the second factor is reported: a warning in the log, and a mail to the account owner when mail is configured; 0 turns the report off.' },
  { name: 'INCOMPLETE_2FA_SCHEDULE', kind: 'string', default: '30 * * * * *', doc: 'When incomplete two-step logins are looked for: cron with seconds, in UTC (Vaultwarden form; default every minute at second 30); empty disables the check.' },
  { name: 'EMAIL_TOKEN_SIZE', kind: 'integer', default: '6', min: 6, max: 19, doc: 'Digits of an emailed two-step login code (email provider and emailed one-time passwords).' },
  { name: 'EMAIL_EXPIRATION_TIME', kind: 'integer', default: '600', min: 30, max: 86400, doc: 'Seconds an emailed two-step login code stays valid.' },
  { name: 'EMAIL_ATTEMPTS_LIMIT', kind: 'integer', default: '3', min: 1, max: 100, doc: 'Wrong entries of an emailed code before it is voided (a new code must then be sent).' },
  // --- Vault ---
  { name: 'TRASH_AUTO_DELETE_DAYS', kind: 'integer', min: 0, max: 36500, doc: 'Days after which trashed items are deleted for good (checked hourly); unset = never, 0 = everything in the trash at the next check (Vaultwarden name and meaning).' },
  { name: 'ATTACHMENTS_FOLDER', kind: 'string', doc: 'Folder for the files attached to items (shared by every instance, like DATA_FOLDER); unset = DATA_FOLDER/attachments (Vaultwarden name).' },
  { name: 'USER_ATTACHMENT_LIMIT', kind: 'integer', min: 0, max: 8796093022207, doc: 'Most kilobytes of attachments one user may store on personal items; unset = no limit, 0 = personal attachments disabled (Vaultwarden name and unit).' },
  { name: 'ORG_ATTACHMENT_LIMIT', kind: 'integer', min: 0, max: 8796093022207, doc: 'Most kilobytes of attachments one organization may store on its items; unset = no limit, 0 = organization attachments disabled (Vaultwarden name and unit).' },
  { name: 'SENDS_ALLOWED', kind: 'boolean', default: 'true', doc: 'Allow users to create and edit Sends (shared text and files); false: only deleting existing ones (Vaultwarden name).' },
  { name: 'SENDS_FOLDER', kind: 'string', doc: 'Folder for the files of file Sends (shared by every instance, like DATA_FOLDER); unset = DATA_FOLDER/sends (Vaultwarden name).' },
  { name: 'USER_SEND_LIMIT', kind: 'integer', min: 0, max: 8796093022207, doc: 'Most kilobytes of Send files one user may store; unset = no limit, 0 = file Sends disabled (Vaultwarden name and unit).' },
  { name: 'SEND_PURGE_SCHEDULE', kind: 'string', default: '0 5 * * * *', doc: 'When Sends past their deletion date are deleted with their files: cron with seconds, in UTC (Vaultwarden form; default minute 5 of every hour); empty disables the purge.' },
  { name: 'AUTH_REQUEST_PURGE_SCHEDULE', kind: 'string', default: '30 * * * * *', doc: 'When expired login-with-device requests (older than 15 minutes) and answered ones (5 minutes after the answer) are deleted: cron with seconds, in UTC (Vaultwarden form; default every minute at second 30); empty disables the purge.' },
  // --- Site icons (Vaultwarden names) ---
  { name: 'ICON_SERVICE', kind: 'string', default: 'internal', doc: 'Where item icons come from: internal (fetched from the site and cached here), bitwarden, duckduckgo, google, or a URL template with {} for the domain (clients are redirected there).' },
  { name: 'ICON_REDIRECT_CODE', kind: 'integer', default: '302', min: 301, max: 308, doc: 'HTTP status of the redirect to an external ICON_SERVICE: 301, 302, 307 or 308.' },
  { name: 'ICON_CACHE_FOLDER', kind: 'string', doc: 'Folder of the icon cache (shared by every instance, like DATA_FOLDER); unset = DATA_FOLDER/icon_cache (Vaultwarden name).' },
  { name: 'ICON_CACHE_TTL', kind: 'integer', default: '2592000', min: 0, max: 315360000, doc: 'Seconds a fetched icon is served from the cache before it is fetched again; 0 = forever.' },
  { name: 'ICON_CACHE_NEGTTL', kind: 'integer', default: '259200', min: 0, max: 315360000, doc: 'Seconds a site without a usable icon is not asked again; 0 = forever.' },
  { name: 'ICON_DOWNLOAD_TIMEOUT', kind: 'integer', default: '10', min: 1, max: 300, doc: 'Seconds one icon fetch (the page and the icon, each) may take before it is abandoned.' },
  { name: 'DISABLE_ICON_DOWNLOAD', kind: 'boolean', default: 'false', doc: 'With ICON_SERVICE=internal: serve only what the cache holds and never fetch from sites (an icon not in the cache gets the fallback image).' },
  { name: 'HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS', kind: 'boolean', default: 'true', aliases: ['ICON_BLACKLIST_NON_GLOBAL_IPS'], doc: 'Refuse outgoing requests (icons) to addresses that are not global (loopback, private, link-local, unique-local, …), checked on the address actually connected to.' },
  { name: 'HTTP_REQUEST_BLOCK_REGEX', kind: 'string', aliases: ['ICON_BLACKLIST_REGEX'], doc: 'Refuse outgoing requests (icons) to host names matching this regular expression; unset = none.' },
  // --- Notifications ---
  { name: 'ENABLE_WEBSOCKET', kind: 'boolean', default: 'true', doc: 'Serve /notifications/hub and /notifications/anonymous-hub on the main port.' },
  { name: 'HUB_MAX_CONNECTIONS', kind: 'integer', default: '20000', min: 1, max: 10000000, doc: 'Hub sockets (both hubs) this instance holds at once; the next upgrade gets 503 before any 101.' },
  { name: 'HUB_MAX_CONNECTIONS_PER_IP', kind: 'integer', default: '256', min: 1, max: 10000000, doc: 'Hub sockets (both hubs) one client address (an IPv6 /64) may hold; the next upgrade gets 429 before any 101.' },
  { name: 'HUB_MAX_CONNECTIONS_PER_USER', kind: 'integer', default: '20', min: 1, max: 10000, doc: 'Authenticated hub sockets allowed per user (the next one gets 429).' },
  { name: 'HUB_PING_INTERVAL_SECONDS', kind: 'integer', default: '15', min: 1, max: 15, doc: 'SignalR Ping interval (clients drop a connection silent for 30 s).' },
  { name: 'HUB_HANDSHAKE_TIMEOUT_SECONDS', kind: 'integer', default: '15', min: 1, max: 300, doc: 'Close a socket that sends no valid handshake within this time.' },
  { name: 'HUB_IDLE_TIMEOUT_SECONDS', kind: 'integer', default: '60', min: 5, max: 3600, doc: 'Close a socket from which nothing arrives for this time.' },
  { name: 'HUB_QUEUE_MAX_MESSAGES', kind: 'integer', default: '100', min: 1, max: 100000, doc: 'Per-socket outbound queue length before it collapses into one SyncVault.' },
  { name: 'HUB_QUEUE_MAX_BYTES', kind: 'bytes', default: '1048576', min: 1024, max: 1073741824, doc: 'Per-socket buffered bytes before the queue collapses. Bytes, or with a unit: 512K, 1M (1K = 1024).' },
  { name: 'HUB_STALL_TIMEOUT_SECONDS', kind: 'integer', default: '30', min: 1, max: 3600, doc: 'Close a socket whose buffered data makes no progress for this time.' },
  { name: 'HUB_REVALIDATE_SECONDS', kind: 'integer', default: '300', min: 5, max: 86400, doc: 'Re-check that every socket\'s device and security stamp are still valid.' },
  { name: 'REDIS_URL', kind: 'secret', doc: 'Redis shared by several instances (redis://[:password@]host:6379[/db], rediss:// for TLS): hub messages cross instances over pub/sub; unset = one instance, in-process delivery. REDIS_URL_FILE is accepted.' },
  { name: 'UNAUTHENTICATED_RATELIMIT_SECONDS', kind: 'integer', default: '60', min: 1, max: 86400, doc: 'Rate-limit window for unauthenticated endpoints such as clear-token and POST /api/auth-requests (per client IP; auth requests also per email).' },
  { name: 'UNAUTHENTICATED_RATELIMIT_MAX_BURST', kind: 'integer', default: '50', min: 1, max: 100000, doc: 'Requests allowed per window on unauthenticated endpoints; beyond it 429.' },
  // --- Mobile push through Bitwarden's relay (notifications.md §10) ---
  { name: 'PUSH_ENABLED', kind: 'boolean', default: 'false', doc: 'Send mobile push notifications through Bitwarden\'s push relay (needs an installation id and key from https://bitwarden.com/host or https://bitwarden.eu/host).' },
  { name: 'PUSH_INSTALLATION_ID', kind: 'secret', doc: 'Installation id (a UUID) from bitwarden.com/host; PUSH_INSTALLATION_ID_FILE is accepted.' },
  { name: 'PUSH_INSTALLATION_KEY', kind: 'secret', doc: 'Installation key from bitwarden.com/host; PUSH_INSTALLATION_KEY_FILE is accepted.' },
  { name: 'PUSH_RELAY_URI', kind: 'string', default: 'https://push.bitwarden.com', doc: 'Relay base URL: https://push.bitwarden.com (US) or https://api.bitwarden.eu (EU); must match the region of the installation.' },
  { name: 'PUSH_IDENTITY_URI', kind: 'string', default: 'https://identity.bitwarden.com', doc: 'Identity base URL for the relay token: https://identity.bitwarden.com (US) or https://identity.bitwarden.eu (EU).' },
  { name: 'PUSH_RATE_BURST', kind: 'integer', default: '5', min: 1, max: 1000, doc: 'Relay requests that may be started back to back before PUSH_RATE_PER_SECOND applies (token bucket size); PUSH_RELAY_CONCURRENCY bounds how many are in flight.' },
  { name: 'PUSH_RATE_PER_SECOND', kind: 'integer', default: '1', min: 1, max: 1000, doc: 'Relay requests per second after the burst (token bucket refill).' },
  { name: 'PUSH_RETRY_BASE_MS', kind: 'integer', default: '1000', min: 10, max: 60000, doc: 'First retry delay after a failed relay request; doubles on each failure (with jitter).' },
  { name: 'PUSH_RETRY_MAX_SECONDS', kind: 'integer', default: '300', min: 1, max: 86400, doc: 'Longest retry delay after failed relay requests.' },
  { name: 'PUSH_RELAY_TIMEOUT_SECONDS', kind: 'integer', default: '10', min: 1, max: 300, doc: 'Timeout of one relay or relay-identity request.' },
  { name: 'PUSH_RELAY_CONCURRENCY', kind: 'integer', default: '4', min: 1, max: 64, doc: 'Relay requests in flight at once (each user\'s pushes still go one at a time, in order); a slow relay answer then holds up one lane, not every user.' },
  { name: 'PUSH_USER_PENDING_MAX', kind: 'integer', default: '20', min: 1, max: 10000, doc: 'Pending relay sends one user may have that a SyncVault covers (folder, cipher, send, settings changes); beyond it they fold into one SyncVault. LogOut and login-request pushes are never folded.' },
  // --- Mail (Vaultwarden names): enabled when SMTP_HOST and SMTP_FROM are set, or USE_SENDMAIL=true ---
  { name: 'SMTP_HOST', kind: 'string', doc: 'SMTP server host name (no scheme, e.g. smtp.example.com); with SMTP_FROM it enables mail (organization invitations). Unset: no mail, invitations work without it.' },
  { name: 'SMTP_SECURITY', kind: 'enum', default: 'starttls', values: ['starttls', 'force_tls', 'off'], doc: 'starttls (STARTTLS required, port 587), force_tls (implicit TLS, port 465) or off (no encryption, port 25: only for a relay on the same host or network).' },
  { name: 'SMTP_PORT', kind: 'integer', min: 1, max: 65535, doc: 'SMTP port; unset = 587 for starttls, 465 for force_tls, 25 for off.' },
  { name: 'SMTP_FROM', kind: 'string', doc: 'Sender address of every mail (e.g. vault@example.com); required with SMTP_HOST or USE_SENDMAIL.' },
  { name: 'SMTP_FROM_NAME', kind: 'string', default: 'Vaultwave', doc: 'Sender display name.' },
  { name: 'SMTP_USERNAME', kind: 'string', doc: 'SMTP login; set together with SMTP_PASSWORD (both unset: no authentication).' },
  { name: 'SMTP_PASSWORD', kind: 'secret', doc: 'SMTP password (for Xoauth2: the access token); never logged. SMTP_PASSWORD_FILE is accepted.' },
  { name: 'SMTP_AUTH_MECHANISM', kind: 'string', doc: 'Authentication mechanism: Plain, Login or Xoauth2 (any case; with Xoauth2, SMTP_PASSWORD is the access token). A comma-separated list as Vaultwarden takes it is accepted; its first entry is used. Unset = what the server offers.' },
  { name: 'SMTP_TIMEOUT', kind: 'integer', default: '15', min: 1, max: 600, doc: 'Seconds to wait for the SMTP server (connection, greeting, each reply) before the attempt fails and is retried later.' },
  { name: 'SMTP_ACCEPT_INVALID_CERTS', kind: 'boolean', default: 'false', doc: 'DANGEROUS: accept any TLS certificate from the SMTP server (self-signed, expired, unknown CA); allows man-in-the-middle attacks.' },
  { name: 'SMTP_ACCEPT_INVALID_HOSTNAMES', kind: 'boolean', default: 'false', doc: 'DANGEROUS: accept a TLS certificate issued for another host name than SMTP_HOST; allows man-in-the-middle attacks.' },
  { name: 'HELO_NAME', kind: 'string', doc: 'Name sent in the SMTP EHLO/HELO greeting; unset = this machine\'s host name.' },
  { name: 'USE_SENDMAIL', kind: 'boolean', default: 'false', doc: 'Hand mail to the local sendmail command instead of an SMTP server (needs SMTP_FROM; the SMTP_* connection settings are then unused).' },
  { name: 'SENDMAIL_COMMAND', kind: 'string', doc: 'sendmail command for USE_SENDMAIL: an absolute path or a name looked up in PATH; unset = sendmail.' },
  { name: 'SMTP_SSL', kind: 'boolean', doc: 'Deprecated (Vaultwarden): false means SMTP_SECURITY=off; used only when SMTP_SECURITY is unset, with a warning.' },
  { name: 'SMTP_EXPLICIT_TLS', kind: 'boolean', doc: 'Deprecated (Vaultwarden): true means SMTP_SECURITY=force_tls; used only when SMTP_SECURITY is unset, with a warning.' },
  { name: 'MAIL_RETRY_BASE_MS', kind: 'integer', default: '5000', min: 10, max: 600000, doc: 'First retry delay after a failed mail delivery (server down, 4xx answer, timeout); doubles on each failure (with jitter). Mail waits in the database: an outage delays it, never loses it.' },
  { name: 'MAIL_RETRY_MAX_SECONDS', kind: 'integer', default: '900', min: 1, max: 86400, doc: 'Longest retry delay after failed mail deliveries.' },
  // --- Obsolete (Vaultwarden <= 1.30) ---
  { name: 'WEBSOCKET_ENABLED', kind: 'string', obsolete: 'ENABLE_WEBSOCKET', doc: 'Obsolete, ignored with a warning: the hubs are served on the main port (see ENABLE_WEBSOCKET).' },
  { name: 'WEBSOCKET_ADDRESS', kind: 'string', obsolete: 'ENABLE_WEBSOCKET', doc: 'Obsolete, ignored with a warning.' },
  { name: 'WEBSOCKET_PORT', kind: 'string', obsolete: 'ENABLE_WEBSOCKET', doc: 'Obsolete, ignored with a warning: nothing listens on 3012.' },
];
