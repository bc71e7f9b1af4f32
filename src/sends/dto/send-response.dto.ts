import { toApiDate } from '../../common/time/clock';
import { sizeName } from '../../common/http/size-name';
import { SendEntity, SendType } from '../../db/entities/send.entity';
import { toAccessId } from '../access-id';

export interface SendFileView { id: string; fileName: string; size: string; sizeName: string }
export interface SendTextView { text: string | null; hidden: boolean }

/** `send` (`SendResponseModel`): the owner's view, in lists, single answers and sync (docs/sends-plan.md §3.3). */
export interface SendResponseDto {
  object: 'send';
  id: string;
  accessId: string;
  type: number;
  authType: number;
  name: string;
  notes: string | null;
  file: SendFileView | null;
  text: SendTextView | null;
  key: string;
  maxAccessCount: number | null;
  accessCount: number;
  /** The server's hash when the Send has a password (clients only test it for null). */
  password: string | null;
  emails: null;
  disabled: boolean;
  revisionDate: string;
  expirationDate: string | null;
  deletionDate: string;
  hideEmail: boolean;
}

/** `send-fileUpload`: where the v2 upload goes (clients build the path from `sendResponse`). */
export interface SendFileUploadResponseDto { object: 'send-fileUpload'; url: string; fileUploadType: 0; sendResponse: SendResponseDto }

/** `send-access`: what an anonymous recipient sees (§3.5). */
export interface SendAccessResponseDto {
  object: 'send-access';
  id: string;
  type: number;
  authType: number;
  name: string;
  file: SendFileView | null;
  text: SendTextView | null;
  expirationDate: string | null;
  /** The owner's email, or null when the owner hides it. */
  creatorIdentifier: string | null;
}

/** `send-fileDownload`: the link to the file's bytes. */
export interface SendFileDownloadResponseDto { object: 'send-fileDownload'; id: string; url: string }

/** 1 with a password, else 2 (email verification is not offered). */
export const authTypeOf = (send: SendEntity): number => (send.passwordHash ? 1 : 2);

function fileView(send: SendEntity): SendFileView | null {
  if (send.type !== SendType.File || send.fileId === null) return null;
  const size = Number(send.fileSize ?? 0);
  return { id: send.fileId, fileName: send.fileName ?? '', size: String(size), sizeName: sizeName(size) };
}

function textView(send: SendEntity): SendTextView | null {
  return send.type === SendType.Text ? { text: send.text, hidden: send.textHidden === true } : null;
}

export function toSendResponse(send: SendEntity): SendResponseDto {
  return {
    object: 'send',
    id: send.id,
    accessId: toAccessId(send.id),
    type: send.type,
    authType: authTypeOf(send),
    name: send.name,
    notes: send.notes,
    file: fileView(send),
    text: textView(send),
    key: send.key,
    maxAccessCount: send.maxAccessCount,
    accessCount: send.accessCount,
    password: send.passwordHash,
    emails: null,
    disabled: send.disabled,
    revisionDate: toApiDate(send.revisionDate),
    expirationDate: toApiDate(send.expirationDate),
    deletionDate: toApiDate(send.deletionDate),
    hideEmail: send.hideEmail,
  };
}

export function toSendAccessResponse(send: SendEntity, creatorEmail: string | null): SendAccessResponseDto {
  return {
    object: 'send-access',
    id: toAccessId(send.id),
    type: send.type,
    authType: authTypeOf(send),
    name: send.name,
    file: fileView(send),
    text: textView(send),
    expirationDate: toApiDate(send.expirationDate),
    creatorIdentifier: send.hideEmail ? null : creatorEmail,
  };
}
