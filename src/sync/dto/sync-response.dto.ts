import { ProfileResponseDto, UserDecryptionResponseDto } from '../../accounts/dto/account-response.dto';
import { CipherResponseDto } from '../../ciphers/dto/cipher-response.dto';
import { FolderResponseDto } from '../../folders/dto/folder-response.dto';
import { CollectionDetailsResponseDto, PolicyResponseDto } from '../../organizations/dto/organization-response.dto';
import { DomainsResponseDto } from '../../settings/dto/domains-response.dto';

/** GET /api/sync (real-clients.md §3.8). Keys in the order official servers send them. */
export interface SyncResponseDto {
  object: 'sync';
  profile: ProfileResponseDto;
  folders: FolderResponseDto[];
  collections: CollectionDetailsResponseDto[];
  policies: PolicyResponseDto[];
  sends: unknown[];
  ciphers: CipherResponseDto[];
  domains: DomainsResponseDto | null;
  userDecryption: UserDecryptionResponseDto;
}
