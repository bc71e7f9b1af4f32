/**
 * Case-insensitive property names, the way Bitwarden's server binds JSON (ASP.NET Core matches property names
 * ignoring case, and answers in camelCase). Pure: the shape says which names a level knows; every key of the
 * value that matches a known name in another case is renamed to the known spelling. Two spellings of one field
 * in one object are a conflict, never silently merged.
 */

/** What one object level of a request body knows. */
export interface KeyShape {
  /** Lower-cased name → the canonical (camelCase) spelling. */
  readonly names: ReadonlyMap<string, string>;
  /** Canonical name → the shape of the nested object (or of each element of the nested array). */
  child(name: string): KeyShape | undefined;
  /**
   * The object is stored as the client sent it (a cipher's login, card, …): keys the shape does not know are
   * kept, with their first letter lower-cased so that what is stored and answered is camelCase.
   */
  readonly keepsUnknown: boolean;
}

/** One object that carried a field under more than one spelling. */
export interface KeyConflict {
  /** Dotted path of the field, canonical spelling (`login.username`, `passwordHistory.0.password`). */
  path: string;
  /** The spellings found, in the order they appeared. */
  spellings: string[];
}

export class KeyCaseConflictError extends Error {
  constructor(readonly conflicts: KeyConflict[]) {
    super(`Two spellings of one field: ${conflicts.map((c) => `${c.path} (${c.spellings.join(', ')})`).join('; ')}`);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

/** `Username` → `username`, `SSN` → `sSN`: the spelling Vaultwarden reads back for a key it does not know. */
export function lowerFirst(key: string): string {
  return key.length === 0 ? key : key.charAt(0).toLowerCase() + key.slice(1);
}

/** The canonical spelling of `key` at a level of `shape`, or undefined when the key stays as it is. */
function canonicalKey(shape: KeyShape, key: string): string | undefined {
  const known = shape.names.get(key.toLowerCase());
  if (known !== undefined) return known;
  return shape.keepsUnknown ? lowerFirst(key) : undefined;
}

function normalizeLevel(value: unknown, shape: KeyShape, path: string, conflicts: KeyConflict[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => normalizeLevel(item, shape, join(path, String(index)), conflicts));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string[]>();
  for (const [key, item] of Object.entries(value)) {
    const canonical = canonicalKey(shape, key) ?? key;
    const spellings = seen.get(canonical);
    if (spellings) {
      spellings.push(key);
      continue;
    }
    seen.set(canonical, [key]);
    const child = shape.child(canonical);
    out[canonical] = child ? normalizeLevel(item, child, join(path, canonical), conflicts) : item;
  }
  for (const [canonical, spellings] of seen) {
    if (spellings.length > 1) conflicts.push({ path: join(path, canonical), spellings });
  }
  return out;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Returns a copy of `value` whose keys are spelled as `shape` spells them, at every level the shape describes.
 * Values are not copied below the levels the shape knows. Throws KeyCaseConflictError naming every field that
 * came under two spellings.
 */
export function normalizeKeyCase(value: unknown, shape: KeyShape): unknown {
  const conflicts: KeyConflict[] = [];
  const out = normalizeLevel(value, shape, '', conflicts);
  if (conflicts.length > 0) throw new KeyCaseConflictError(conflicts);
  return out;
}

/** A shape from a plain description (tests, and request shapes without a DTO class). */
export interface KeyShapeSpec {
  names: string[];
  children?: Record<string, KeyShapeSpec>;
  keepsUnknown?: boolean;
}

export function shapeFromSpec(spec: KeyShapeSpec, inheritedKeep = false): KeyShape {
  const keepsUnknown = inheritedKeep || spec.keepsUnknown === true;
  const names = new Map(spec.names.map((name) => [name.toLowerCase(), name]));
  const children = new Map<string, KeyShape>();
  for (const [name, child] of Object.entries(spec.children ?? {})) children.set(name, shapeFromSpec(child, keepsUnknown));
  return { names, keepsUnknown, child: (name) => children.get(name) };
}
