import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Repairs cipher data stored with one field under two spellings (`username: null` next to `Username: "2.…"`).
 * Before request keys were matched case-insensitively, a client that sent PascalCase names (rbw) had them
 * stored as unknown extras beside the empty camelCase ones, and /api/sync answered both.
 *
 * The rule, per object (the type object, each URI and FIDO2 credential of a login, each custom field and each
 * password-history entry):
 * - keys are grouped by their Bitwarden camelCase spelling: a known field matches in any case (`SSN` → `ssn`);
 *   an unknown key gets its first letter lower-cased (`NewField` → `newField`);
 * - in each group the **non-empty** value wins (not null, not missing, not an empty string); when several are
 *   non-empty, the one already spelled in camelCase wins, otherwise the first in stored order;
 * - the winner is stored under the camelCase spelling, and the others are dropped.
 * Only rows that change are rewritten. `down` does nothing: the folded data is what every client reads.
 *
 * The field lists are a snapshot of this version's cipher schema, kept here so the migration never changes.
 */
interface Shape { names: readonly string[]; children?: Record<string, Shape> }

const URI: Shape = { names: ['uri', 'uriChecksum', 'match'] };
const FIDO2: Shape = {
  names: ['credentialId', 'keyType', 'keyAlgorithm', 'keyCurve', 'keyValue', 'rpId', 'userHandle', 'userName', 'counter', 'rpName', 'userDisplayName', 'discoverable', 'creationDate'],
};
const TYPE_SHAPES: Record<number, Shape> = {
  1: { names: ['username', 'password', 'totp', 'uri', 'uris', 'passwordRevisionDate', 'autofillOnPageLoad', 'fido2Credentials'], children: { uris: URI, fido2Credentials: FIDO2 } },
  2: { names: ['type'] },
  3: { names: ['cardholderName', 'brand', 'number', 'expMonth', 'expYear', 'code'] },
  4: {
    names: ['title', 'firstName', 'middleName', 'lastName', 'address1', 'address2', 'address3', 'city', 'state', 'postalCode', 'country', 'company',
      'email', 'phone', 'ssn', 'username', 'passportNumber', 'licenseNumber'],
  },
  5: { names: ['privateKey', 'publicKey', 'keyFingerprint'] },
};
const FIELD: Shape = { names: ['type', 'name', 'value', 'linkedId'] };
const PASSWORD_HISTORY: Shape = { names: ['lastUsedDate', 'password'] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmpty = (value: unknown): boolean => value === null || value === undefined || value === '';
const lowerFirst = (key: string): string => key.charAt(0).toLowerCase() + key.slice(1);

/** One object (or each object of an array) folded by the rule above. */
export function foldKeyCase(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((item) => foldKeyCase(item, shape));
  if (!isObject(value)) return value;
  const known = new Map(shape.names.map((name) => [name.toLowerCase(), name]));
  const groups = new Map<string, Array<[string, unknown]>>();
  for (const [key, item] of Object.entries(value)) {
    const canonical = known.get(key.toLowerCase()) ?? lowerFirst(key);
    const group = groups.get(canonical);
    if (group) group.push([key, item]);
    else groups.set(canonical, [[key, item]]);
  }
  const out: Record<string, unknown> = {};
  for (const [canonical, entries] of groups) {
    const filled = entries.filter(([, item]) => !isEmpty(item));
    const winner = filled.find(([key]) => key === canonical) ?? filled[0] ?? entries.find(([key]) => key === canonical) ?? entries[0]!;
    const child = shape.children?.[canonical];
    out[canonical] = child ? foldKeyCase(winner[1], child) : winner[1];
  }
  return out;
}

/** The folded JSON text, or null when the text is unchanged (or not JSON, which is left alone). */
export function foldJsonText(text: string | null, shape: Shape | undefined): string | null {
  if (text === null || shape === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const folded = JSON.stringify(foldKeyCase(parsed, shape));
  return folded === JSON.stringify(parsed) ? null : folded;
}

export const FOLD_SHAPES = { types: TYPE_SHAPES, field: FIELD, passwordHistory: PASSWORD_HISTORY };

interface CipherRow { id: string; type: number | string; data: string; fields: string | null; password_history: string | null }

const BATCH = 200;

export class FoldCipherKeyCase1796601600000 implements MigrationInterface {
  name = 'FoldCipherKeyCase1796601600000';

  async up(q: QueryRunner): Promise<void> {
    const driver = q.connection.driver;
    const run = async <T>(sql: string, parameters: Record<string, unknown>): Promise<T> => {
      const [text, values] = driver.escapeQueryWithParameters(sql, parameters);
      return (await q.query(text, values)) as T;
    };
    let after = '';
    for (;;) {
      const rows = await run<CipherRow[]>(
        `SELECT id, type, data, fields, password_history FROM ciphers WHERE id > :after ORDER BY id LIMIT ${BATCH}`,
        { after },
      );
      for (const row of rows) {
        const data = foldJsonText(row.data, TYPE_SHAPES[Number(row.type)]);
        const fields = foldJsonText(row.fields, FIELD);
        const history = foldJsonText(row.password_history, PASSWORD_HISTORY);
        if (data === null && fields === null && history === null) continue;
        await run('UPDATE ciphers SET data = :data, fields = :fields, password_history = :history WHERE id = :id', {
          data: data ?? row.data,
          fields: fields ?? row.fields,
          history: history ?? row.password_history,
          id: row.id,
        });
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  }

  async down(): Promise<void> {
    // Nothing to undo: the schema is unchanged, and the duplicate spellings are not worth restoring.
  }
}
