import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { UserEntity } from './user.entity';

/**
 * One two-step login provider of a user (bitwarden/server's TwoFactorProviders entry, Vaultwarden's twofactor row):
 * `type` is the TwoFactorProviderType (0 authenticator, 1 email, 7 WebAuthn) or a pending challenge of this server
 * (1003 WebAuthn registration, 1004 WebAuthn login, 2000 emailed one-time password). `data` is JSON.
 */
@Entity({ name: 'two_factor' })
export class TwoFactorEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @PrimaryColumn({ type: 'integer' }) type!: number;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @Column({ type: 'boolean', default: false }) enabled!: boolean;
  /** JSON text: the TOTP secret, WebAuthn credentials, email settings or a pending challenge. Secret: never logged. */
  @Column({ type: 'text' }) data!: string;
  /** Authenticator: the last TOTP time step accepted (a code of this step or an older one is refused). */
  @Column({ type: 'integer', name: 'last_used_step', default: 0 }) lastUsedStep!: number;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
