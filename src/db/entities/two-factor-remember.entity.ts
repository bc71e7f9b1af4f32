import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { DeviceEntity } from './device.entity';
import { UserEntity } from './user.entity';

/**
 * A "remember this device" token of two-step login (provider 5): one per device, stored as its SHA-256, valid
 * until `expiresAt` and only while the user's security stamp is the one it was issued under.
 */
@Entity({ name: 'two_factor_remember' })
@Index('ix_two_factor_remember_user', ['userId'])
export class TwoFactorRememberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'device_id' }) deviceId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'device_id' })
  private readonly fk_device_id?: DeviceEntity;

  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  /** SHA-256 (hex) of the token. */
  @Column({ type: 'varchar', length: 64, name: 'token_hash' }) tokenHash!: string;
  /** The user's security stamp when the token was issued: a password change or a stamp reset voids it. */
  @Column({ type: 'varchar', length: 36, name: 'security_stamp' }) securityStamp!: string;
  @TimestampColumn({ name: 'expires_at' }) expiresAt!: Date;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
}
