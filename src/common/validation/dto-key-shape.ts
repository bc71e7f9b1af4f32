import type { MetadataStorage as TransformerMetadata } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage } from 'class-validator';
import { KeyShape } from './key-case';

// class-transformer keeps its @Type() metadata in this singleton; the package exports no accessor for it.
const transformerMetadata = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerMetadata }).defaultMetadataStorage;

type Constructor = abstract new (...args: never[]) => object;

/** Objects stored as the client sent them, validated against a class (see ConformsTo): owner → property → class. */
const storedAsGiven = new WeakMap<object, Map<string, Constructor>>();

/** Records that `owner.property` holds an object of shape `cls` whose unknown keys are kept. */
export function registerStoredObject(owner: object, property: string, cls: Constructor): void {
  let properties = storedAsGiven.get(owner);
  if (!properties) storedAsGiven.set(owner, (properties = new Map()));
  properties.set(property, cls);
}

/** The stored-as-given class of `owner.property`, looking up the class chain. */
function storedObjectClass(owner: Constructor, property: string): Constructor | undefined {
  for (let cls: unknown = owner; typeof cls === 'function' && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
    const found = storedAsGiven.get(cls)?.get(property);
    if (found) return found;
  }
  return undefined;
}

function declaredProperties(cls: Constructor): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls as unknown as new () => object, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function nestedClass(cls: Constructor, property: string): Constructor | undefined {
  const stored = storedObjectClass(cls, property);
  if (stored) return stored;
  const type = transformerMetadata.findTypeMetadata(cls as unknown as new () => object, property)?.typeFunction();
  return typeof type === 'function' && type !== Object && type !== String && type !== Number && type !== Boolean && type !== Date
    ? (type as Constructor)
    : undefined;
}

const cache = new WeakMap<Constructor, { plain?: KeyShape; kept?: KeyShape }>();

/**
 * The key shape of a DTO class, read from its class-validator and class-transformer decorators: every
 * declared property, nested classes from `@Type`, and stored-as-given objects from `ConformsTo` (whose
 * levels keep unknown keys). Built lazily, once per class.
 */
export function dtoKeyShape(cls: Constructor, keepsUnknown = false): KeyShape {
  let entry = cache.get(cls);
  if (!entry) cache.set(cls, (entry = {}));
  const existing = keepsUnknown ? entry.kept : entry.plain;
  if (existing) return existing;
  const properties = declaredProperties(cls);
  const names = new Map(properties.map((name) => [name.toLowerCase(), name]));
  const children = new Map<string, KeyShape | null>();
  const shape: KeyShape = {
    names,
    keepsUnknown,
    child(name) {
      if (!children.has(name)) {
        const nested = properties.includes(name) ? nestedClass(cls, name) : undefined;
        children.set(name, nested ? dtoKeyShape(nested, keepsUnknown || storedObjectClass(cls, name) !== undefined) : null);
      }
      return children.get(name) ?? undefined;
    },
  };
  if (keepsUnknown) entry.kept = shape;
  else entry.plain = shape;
  return shape;
}

/** Whether `cls` declares any validated property (so a body of that type has a shape to follow). */
export function hasKeyShape(cls: unknown): cls is Constructor {
  return typeof cls === 'function' && cls !== Object && dtoKeyShape(cls as Constructor).names.size > 0;
}
