import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';

@Entity({ name: 'devices' })
@Index('uq_devices_user_identifier', ['userId', 'identifier'], { unique: true })
export class DeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Client-generated app id, stable per install; the ContextId of its changes. */
  @Column({ type: 'varchar', length: 64 }) identifier!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'integer' }) type!: number;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  /** SHA-256 (hex) of the device's refresh token; null when revoked. */
  @Column({ type: 'varchar', length: 64, name: 'refresh_token_hash', nullable: true }) refreshTokenHash!: string | null;
  @Column({ type: 'text', name: 'push_token', nullable: true }) pushToken!: string | null;
  /** End of the device's last hub connection (catch-up rule). */
  @TimestampColumn({ name: 'hub_disconnected_at', nullable: true }) hubDisconnectedAt!: Date | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
