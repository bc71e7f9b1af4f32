import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import { TimestampColumn } from '../columns';

export type PushRegistrationState = 'pending' | 'registered' | 'failed';

@Entity({ name: 'devices' })
@Index('uq_devices_user_identifier', ['userId', 'identifier'], { unique: true })
@Index('ix_devices_refresh_token_hash', ['refreshTokenHash'])
export class DeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  /** Client-generated app id, stable per install; the ContextId of its changes. */
  @Column({ type: 'varchar', length: 64 }) identifier!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'integer' }) type!: number;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  /** SHA-256 (hex) of the device's refresh token; null when revoked. */
  @Column({ type: 'varchar', length: 64, name: 'refresh_token_hash', nullable: true }) refreshTokenHash!: string | null;
  /** When the refresh token was issued or last used (sliding expiry, REFRESH_TOKEN_IDLE_DAYS). */
  @TimestampColumn({ name: 'refresh_token_last_used_at', nullable: true }) refreshTokenLastUsedAt!: Date | null;
  @Column({ type: 'text', name: 'push_token', nullable: true }) pushToken!: string | null;
  /** Relay registration of the push token: pending (queued), registered, failed; null when none. */
  @Column({ type: 'varchar', length: 16, name: 'push_registration', nullable: true }) pushRegistration!: PushRegistrationState | null;
  /** The relay's reason when the registration failed. */
  @Column({ type: 'text', name: 'push_registration_error', nullable: true }) pushRegistrationError!: string | null;
  /** Relay URI and installation id the registration was made against (a change means re-register). */
  @Column({ type: 'varchar', length: 255, name: 'push_relay_uri', nullable: true }) pushRelayUri!: string | null;
  @Column({ type: 'varchar', length: 36, name: 'push_installation_id', nullable: true }) pushInstallationId!: string | null;
  /** Last successful register or delete at the relay. */
  @TimestampColumn({ name: 'push_last_success_at', nullable: true }) pushLastSuccessAt!: Date | null;
  /** End of the device's last hub connection (catch-up rule). */
  @TimestampColumn({ name: 'hub_disconnected_at', nullable: true }) hubDisconnectedAt!: Date | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
