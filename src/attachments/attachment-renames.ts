import { ValidateBy, ValidationOptions } from 'class-validator';
import { isEncString } from '../common/validation/is-enc-string';
import { ATTACHMENT_ID } from './attachment-files';
import { MAX_ATTACHMENT_ENC_LENGTH } from './dto/attachment-request.dto';

/** Most attachments one cipher request may rename. */
const MAX_ENTRIES = 1_000;

/** New encrypted name and key of one existing attachment. */
export interface AttachmentRename { id: string; fileName: string; key: string | null }

/** What a cipher request may carry about its attachments: `attachments2` (name and key) or the legacy `attachments` (name only). */
export interface AttachmentRenameRequest {
  attachments?: Record<string, unknown> | null;
  attachments2?: Record<string, unknown> | null;
}

const encString = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_ATTACHMENT_ENC_LENGTH && isEncString(value);
const field = (entry: Record<string, unknown>, name: string): unknown => entry[name] ?? entry[name.charAt(0).toUpperCase() + name.slice(1)];

/**
 * The renames a cipher request asks for, as the official request model applies them: `attachments2` when present
 * (each id → new file name and key), else the legacy `attachments` (id → file name, key cleared); null when it
 * carries neither. Ids are lower-cased; ids the cipher does not have are the caller's to ignore.
 */
export function attachmentRenames(request: AttachmentRenameRequest): AttachmentRename[] | null {
  if (request.attachments2) {
    return Object.entries(request.attachments2).map(([id, value]) => {
      const entry = value as Record<string, unknown>;
      return { id: id.toLowerCase(), fileName: field(entry, 'fileName') as string, key: (field(entry, 'key') as string | undefined) ?? null };
    });
  }
  if (request.attachments) return Object.entries(request.attachments).map(([id, fileName]) => ({ id: id.toLowerCase(), fileName: fileName as string, key: null }));
  return null;
}

/** Validates `attachments2` (`{id: {fileName, key}}`) or `attachments` (`{id: fileName}`) of a cipher request. */
export function IsAttachmentMap(kind: 'attachments' | 'attachments2', options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isAttachmentMap',
    validator: {
      validate(value: unknown): boolean {
        if (value === null || value === undefined) return true;
        if (typeof value !== 'object' || Array.isArray(value)) return false;
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length > MAX_ENTRIES) return false;
        return entries.every(([id, entry]) => {
          if (!ATTACHMENT_ID.test(id.toLowerCase())) return false;
          if (kind === 'attachments') return encString(entry);
          if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
          const e = entry as Record<string, unknown>;
          const key = field(e, 'key');
          return encString(field(e, 'fileName')) && (key === null || key === undefined || encString(key));
        });
      },
      defaultMessage: () => `${kind} must map attachment ids to ${kind === 'attachments' ? 'encrypted file names' : '{ fileName, key } EncStrings'}`,
    },
  }, options);
}
