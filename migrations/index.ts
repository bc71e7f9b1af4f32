import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';
import { AuthRequests1764291600000 } from './1764291600000-AuthRequests';
import { PushOutbox1764298800000 } from './1764298800000-PushOutbox';
import { FoldCipherKeyCase1796601600000 } from './1796601600000-FoldCipherKeyCase';
import { RefreshTokenLastUsed1796659200000 } from './1796659200000-RefreshTokenLastUsed';
import { Organizations1796745600000 } from './1796745600000-Organizations';
import { Groups1796832000000 } from './1796832000000-Groups';
import { MailOutbox1796835600000 } from './1796835600000-MailOutbox';
import { CipherArchives1796839200000 } from './1796839200000-CipherArchives';
import { MysqlLongText1796840100000 } from './1796840100000-MysqlLongText';
import { TwoFactor1796842800000 } from './1796842800000-TwoFactor';
import { AccountMail1796846400000 } from './1796846400000-AccountMail';
import { Attachments1796850000000 } from './1796850000000-Attachments';
import { Sends1796853600000 } from './1796853600000-Sends';
import { UserInvitations1796857200000 } from './1796857200000-UserInvitations';
import { EmergencyAccess1796860800000 } from './1796860800000-EmergencyAccess';
import { AuthRequestOrganization1796864400000 } from './1796864400000-AuthRequestOrganization';
import { WidenPasswordSalt1796868000000 } from './1796868000000-WidenPasswordSalt';

/** Every migration, in order. Listed explicitly so the same history runs from ts (tests) and js (dist). */
export const MIGRATIONS = [InitialSchema1764288000000, AuthRequests1764291600000, PushOutbox1764298800000, FoldCipherKeyCase1796601600000, RefreshTokenLastUsed1796659200000, Organizations1796745600000,
  Groups1796832000000, MailOutbox1796835600000, CipherArchives1796839200000, MysqlLongText1796840100000, TwoFactor1796842800000,
  AccountMail1796846400000, Attachments1796850000000, Sends1796853600000, UserInvitations1796857200000, EmergencyAccess1796860800000,
  AuthRequestOrganization1796864400000, WidenPasswordSalt1796868000000];
