import { IsDefined, IsString, MaxLength } from 'class-validator';
import { IsEncString } from '../../common/validation/is-enc-string';

export const MAX_FOLDER_NAME_LENGTH = 10_000;

/** Body of POST /api/folders and PUT/POST /api/folders/{id}. */
export class FolderRequestDto {
  @IsDefined()
  @IsString()
  @MaxLength(MAX_FOLDER_NAME_LENGTH)
  @IsEncString()
  name!: string;
}
