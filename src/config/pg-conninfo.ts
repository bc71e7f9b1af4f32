/**
 * PostgreSQL keyword/value connection strings (libpq's "conninfo": `host=db port=5432 dbname=vault user=vw
 * password='a b' sslmode=require`) turned into the postgresql:// URL the database layer takes.
 * Quoting as libpq reads it: a value is either a run of non-blank characters or a single-quoted string; in both a
 * backslash makes the next character literal (`\'`, `\\`, `\ `); spaces around `=` are allowed; an empty value is `''`.
 * Messages never contain the password.
 */

/** Keywords passed on to the driver (node-postgres reads them from the URL). */
const PASSED = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert',
  'application_name', 'fallback_application_name', 'options', 'client_encoding',
]);
/** Other libpq keywords: accepted, not used by the driver (a warning names them). */
const IGNORED = new Set([
  'connect_timeout', 'keepalives', 'keepalives_idle', 'target_session_attrs', 'passfile', 'channel_binding', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout', 'replication',
  'gssencmode', 'sslnegotiation', 'sslcompression', 'sslpassword', 'sslcertmode', 'sslcrl', 'sslcrldir', 'sslsni',
  'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname', 'gsslib', 'gssdelegation',
  'service', 'load_balance_hosts', 'require_auth', 'min_protocol_version', 'max_protocol_version',
]);

/** The keyword/value pairs, or the reason they cannot be read. */
export function parsePgConninfo(text: string): { pairs: Map<string, string> } | { error: string } {
  const pairs = new Map<string, string>();
  let i = 0;
  let index = 0;
  const blank = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  while (i < text.length) {
    while (blank(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && text[i] !== '=' && !blank(text[i])) i++;
    const keyword = text.slice(start, i).toLowerCase();
    index++;
    // A word that is not a keyword may be a piece of a badly quoted password: it is never repeated in a message.
    const known = PASSED.has(keyword) || IGNORED.has(keyword);
    const which = known ? `"${keyword}"` : `word ${index}`;
    while (blank(text[i])) i++;
    if (text[i] !== '=') return { error: `${which} is not followed by "=" (a value with spaces is quoted: password='a b')` };
    i++;
    while (blank(text[i])) i++;
    let value = '';
    if (text[i] === '\'') {
      i++;
      for (;;) {
        if (i >= text.length) return { error: `the quoted value of ${which} is not closed with '` };
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === '\'') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (i < text.length && !blank(text[i])) return { error: `unexpected text after the quoted value of ${which}` };
    } else {
      while (i < text.length && !blank(text[i])) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (value === '') return { error: `${which} has no value (an empty one is written '')` };
    }
    if (!known) return { error: `${which} is not a PostgreSQL connection keyword (host, port, dbname, user, password, sslmode, …)` };
    pairs.set(keyword, value);
  }
  return { pairs };
}

/**
 * The postgresql:// URL for a keyword/value string, the libpq keywords that the driver does not use (to warn
 * about), or the reason it cannot be read. A host that is a path (a Unix socket folder) goes in the query.
 */
export function pgConninfoToUrl(text: string): { url: string; ignored: string[] } | { error: string } {
  const parsed = parsePgConninfo(text);
  if ('error' in parsed) return parsed;
  const { pairs } = parsed;
  const host = pairs.get('host') || pairs.get('hostaddr') || '';
  if (host.includes(',')) return { error: 'several hosts (host=a,b) are not supported; name one host' };
  const port = pairs.get('port');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return { error: `port "${port}" is not a port number` };
  const query = new URLSearchParams();
  let authority = '';
  // A socket folder goes in the query (the driver prefers it to the URL's host, a placeholder then).
  if (host.startsWith('/')) {
    query.set('host', host);
    authority = 'localhost';
  } else if (host !== '') authority = host.includes(':') ? `[${host}]` : encodeURIComponent(host);
  if (port !== undefined && authority !== '') authority += `:${port}`;
  else if (port !== undefined) query.set('port', port);
  const user = pairs.get('user');
  const password = pairs.get('password');
  let credentials = '';
  if (user !== undefined) credentials = encodeURIComponent(user);
  if (password !== undefined) credentials += `:${encodeURIComponent(password)}`;
  if (credentials !== '') credentials += '@';
  const ignored: string[] = [];
  for (const [keyword, value] of pairs) {
    if (['host', 'hostaddr', 'port', 'user', 'password', 'dbname'].includes(keyword)) continue;
    if (IGNORED.has(keyword)) ignored.push(keyword);
    else query.set(keyword, value);
  }
  const search = query.toString();
  const dbname = pairs.get('dbname');
  const path = dbname === undefined ? '/' : `/${encodeURIComponent(dbname)}`;
  return { url: `postgresql://${credentials}${authority}${path}${search ? `?${search}` : ''}`, ignored };
}
