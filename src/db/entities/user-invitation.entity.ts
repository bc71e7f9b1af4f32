import { Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';

/** An address the admin panel invited: it may register while signups are closed; the row goes when it does. */
@Entity({ name: 'user_invitations' })
export class UserInvitationEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 }) email!: string;
  @TimestampColumn({ name: 'invited_at' }) invitedAt!: Date;
}
