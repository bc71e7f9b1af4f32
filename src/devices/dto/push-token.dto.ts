import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of PUT /api/devices/identifier/{identifier}/token: the FCM, APNs or ADM token of the app. */
export class PushTokenDto {
  @IsString() @IsNotEmpty() @MaxLength(4096) pushToken!: string;
}
