import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { UserEntity } from './user.entity';

/**
 * A login that passed the master password but not yet the second factor (Vaultwarden's twofactor_incomplete):
 * removed when the login completes; reported after INCOMPLETE_2FA_TIME_LIMIT minutes.
 */
@Entity({ name: 'two_factor_incomplete' })
@Index('ix_two_factor_incomplete_login_time', ['loginTime'])
export class TwoFactorIncompleteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @PrimaryColumn({ type: 'varchar', length: 64, name: 'device_identifier' }) deviceIdentifier!: string;
  @Column({ type: 'varchar', length: 255, name: 'device_name' }) deviceName!: string;
  @Column({ type: 'integer', name: 'device_type' }) deviceType!: number;
  @Column({ type: 'varchar', length: 64, name: 'ip_address' }) ipAddress!: string;
  @TimestampColumn({ name: 'login_time' }) loginTime!: Date;
}
