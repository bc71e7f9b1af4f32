import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Vaultwarden's config.json (written by its admin panel): DATA_FOLDER/config.json, or the file CONFIG_FILE names.
 * Keys are the variable names in lower case (`signups_allowed`); values are strings, numbers or booleans (null =
 * not set). As in Vaultwarden, a value in the file wins over the environment (and over NAME_FILE). A missing file
 * is no configuration; an unreadable or malformed one is a start-up problem naming the file.
 */
export interface ConfigFileLayer {
  /** The file's settings as variables (upper-case names, text values). */
  values: Record<string, string>;
  /** The path read; null when there was no file. */
  path: string | null;
  /** Keys that are not written as a variable name in lower snake case. */
  badKeys: string[];
  problems: string[];
  warnings: string[];
}

/** Where config.json is looked for: CONFIG_FILE, else DATA_FOLDER/config.json (both from the environment). */
export function configFilePath(raw: Record<string, string | undefined>): string {
  return resolve(raw.CONFIG_FILE || join(raw.DATA_FOLDER || './data', 'config.json'));
}

export function readConfigFile(raw: Record<string, string | undefined>): ConfigFileLayer {
  const path = configFilePath(raw);
  const layer: ConfigFileLayer = { values: {}, path: null, badKeys: [], problems: [], warnings: [] };
  const where = raw.CONFIG_FILE ? `CONFIG_FILE (${path})` : `config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (raw.CONFIG_FILE) layer.warnings.push(`CONFIG_FILE: ${path} does not exist; no settings are read from it.`);
      return layer;
    }
    layer.problems.push(`${where}: cannot be read (${code ?? 'error'}); expected a readable JSON file, or no file`);
    return layer;
  }
  layer.path = path;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    layer.problems.push(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)}); expected an object such as {"signups_allowed": false}`);
    return layer;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    layer.problems.push(`${where}: expected a JSON object of settings such as {"signups_allowed": false}`);
    return layer;
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^_?[a-z0-9_]+$/.test(key)) {
      layer.badKeys.push(key);
      continue;
    }
    const name = key.toUpperCase();
    if (value === null) continue;
    if (typeof value === 'string') layer.values[name] = value;
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) layer.values[name] = String(value);
    else layer.problems.push(`${where}: "${key}" (${name}) must be a string, a number or a boolean`);
  }
  return layer;
}
