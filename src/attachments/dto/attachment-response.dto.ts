import { CipherMiniResponseDto, CipherResponseDto } from '../../ciphers/dto/cipher-response.dto';
import { sizeName } from '../../common/http/size-name';

/** `attachment`: one file of a cipher, in every cipher response and in sync (docs/attachments-plan.md §3.3). */
export interface AttachmentResponseDto {
  object: 'attachment';
  id: string;
  url: string;
  fileName: string;
  key: string | null;
  /** Bytes of the encrypted file, as a string (the official model's `Size`). */
  size: string;
  sizeName: string;
}

/** `attachment-fileUpload`: the answer to the v2 metadata call (§3.2); exactly one of the two cipher fields is set. */
export interface AttachmentUploadDataResponseDto {
  object: 'attachment-fileUpload';
  attachmentId: string | null;
  url: string;
  fileUploadType: 0;
  cipherResponse: CipherResponseDto | null;
  cipherMiniResponse: CipherMiniResponseDto | null;
}

/** `deleteAttachment`: the cipher after the delete; clients take its new revision date (§3.4). */
export interface DeleteAttachmentResponseDto {
  object: 'deleteAttachment';
  cipher: CipherMiniResponseDto;
}

export function toAttachmentResponse(row: { id: string; fileName: string; key: string | null; fileSize: number }, url: string): AttachmentResponseDto {
  return { object: 'attachment', id: row.id, url, fileName: row.fileName, key: row.key, size: String(row.fileSize), sizeName: sizeName(row.fileSize) };
}
