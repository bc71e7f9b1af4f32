import { toApiDate } from '../../common/time/clock';
import { FolderEntity } from '../../db/entities';

export interface FolderResponseDto {
  id: string;
  name: string;
  revisionDate: string;
  object: 'folder';
}

export function toFolderResponse(folder: FolderEntity): FolderResponseDto {
  return { id: folder.id, name: folder.name, revisionDate: toApiDate(folder.revisionDate), object: 'folder' };
}
