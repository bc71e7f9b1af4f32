import { KdfView } from '../../accounts/dto/account-response.dto';

/** POST /identity/accounts/prelogin[/password] (bitwarden/server PreloginResponseModel). */
export interface PreloginResponseDto {
  kdf: number;
  kdfIterations: number;
  kdfMemory: number | null;
  kdfParallelism: number | null;
  kdfSettings: KdfView;
  salt: null;
}
