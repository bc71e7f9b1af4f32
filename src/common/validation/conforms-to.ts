import { plainToInstance } from 'class-transformer';
import { ValidateBy, ValidationError, ValidationOptions, validateSync } from 'class-validator';
import { registerStoredObject } from './dto-key-shape';

type Constructor = new () => object;

export interface ConformsToOptions {
  /** Largest accepted JSON text of the whole object (it is stored as given, unknown keys included). */
  maxJsonLength?: number;
}

function flatten(errors: ValidationError[], prefix: string, out: string[]): void {
  for (const error of errors) {
    const path = `${prefix}.${error.property}`;
    for (const message of Object.values(error.constraints ?? {})) out.push(`${path}: ${message}`);
    if (error.children?.length) flatten(error.children, path, out);
  }
}

/** Problems of `value` measured against the rules of `cls`, as `path: message` lines; empty when it conforms. */
export function conformanceProblems(cls: Constructor, value: unknown, property: string, options: ConformsToOptions = {}): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${property}: must be an object`];
  if (options.maxJsonLength !== undefined && JSON.stringify(value).length > options.maxJsonLength) {
    return [`${property}: must not be longer than ${options.maxJsonLength} characters as JSON`];
  }
  const instance = plainToInstance(cls, value) as object;
  const problems: string[] = [];
  flatten(validateSync(instance, { whitelist: false, forbidUnknownValues: false }), property, problems);
  return problems;
}

/**
 * Validates a plain object against the rules of `cls` **without** stripping keys the class does not declare:
 * for objects the server stores as given (a cipher's login, card, identity, …), where clients add fields the
 * server does not know yet. The property keeps the original object.
 */
export function ConformsTo(cls: Constructor, options: ConformsToOptions = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  const validate = ValidateBy(
    {
      name: 'conformsTo',
      validator: {
        validate: (value: unknown, args) => conformanceProblems(cls, value, args?.property ?? 'value', options).length === 0,
        defaultMessage: (args) => conformanceProblems(cls, args?.value, args?.property ?? 'value', options).join('; ') || `${args?.property ?? 'value'} is invalid`,
      },
    },
    validationOptions,
  );
  return (target, key) => {
    // Request keys of this object are matched to `cls` case-insensitively (KeyCasePipe), unknown ones kept.
    registerStoredObject(target.constructor, String(key), cls);
    validate(target, key);
  };
}
