/** Deepest JSON nesting a request body may have: Bitwarden's shapes need 6; the rest is headroom. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether the JSON text nests arrays/objects deeper than `max`, scanned byte by byte before parsing (strings
 * skipped, escapes honoured): one pass, no recursion, no allocation, so no input can overflow a stack later
 * (validation and transformation walk bodies recursively).
 */
export function jsonNestsDeeperThan(body: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > max) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return false;
}

/** The body-parser `verify` hook: a body nested too deeply is refused with 400 before it is parsed. */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonNestsDeeperThan(body)) throw Object.assign(new Error('request body nested too deeply'), { status: 400, type: 'entity.too.deep' });
}
