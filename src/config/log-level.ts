/**
 * LOG_LEVEL as Vaultwarden writes it: a level (trace, debug, info, warn, error, off; any case), optionally followed
 * by per-module levels (`info,vaultwarden::api=debug`, `warn,rocket=info`). This server has one level: the first is
 * used, the per-module ones are named in a warning. `off` is the logger's `silent`; `fatal` and `silent` (this
 * server's own names) are accepted too.
 */
const LEVELS: Record<string, string> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', error: 'error', off: 'silent', fatal: 'fatal', silent: 'silent' };
const VAULTWARDEN_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'];

export type LogLevelResult = { level: string; ignored: string[] } | { error: string };

export function parseLogLevel(text: string): LogLevelResult {
  const value = text.trim();
  const [first = '', ...rest] = value.split(',').map((part) => part.trim());
  const level = LEVELS[first.toLowerCase()];
  const expected = `expected one of ${VAULTWARDEN_LEVELS.join(', ')} (any case), optionally followed by per-module levels as Vaultwarden takes them, e.g. info,vaultwarden::api=debug`;
  if (level === undefined) return { error: `"${value}" is not accepted; ${expected}` };
  const ignored: string[] = [];
  for (const part of rest) {
    if (part === '') continue;
    const [module, moduleLevel] = part.split('=').map((s) => s.trim());
    if (!module || moduleLevel === undefined || LEVELS[moduleLevel.toLowerCase()] === undefined || part.split('=').length !== 2) {
      return { error: `"${value}": "${part}" is not a per-module level (module=level); ${expected}` };
    }
    ignored.push(part);
  }
  return { level, ignored };
}
