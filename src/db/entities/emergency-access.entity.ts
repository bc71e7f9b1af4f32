import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { UserEntity } from './user.entity';

/** bitwarden/server EmergencyAccessType. */
export enum EmergencyAccessType { View = 0, Takeover = 1 }

/** bitwarden/server EmergencyAccessStatusType. */
export enum EmergencyAccessStatus { Invited = 0, Accepted = 1, Confirmed = 2, RecoveryInitiated = 3, RecoveryApproved = 4 }

/** A trusted emergency contact of a grantor (migrations/1796860800000-EmergencyAccess.ts). */
@Entity({ name: 'emergency_access' })
@Index('ix_emergency_access_grantor', ['grantorId'])
@Index('ix_emergency_access_grantee', ['granteeId'])
@Index('ix_emergency_access_email', ['email'])
export class EmergencyAccessEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'grantor_id' }) grantorId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'grantor_id' })
  private readonly fk_grantor_id?: UserEntity;

  /** The grantee's account: set at the invitation when the address has one (or when it registers later), null until then. */
  @Column({ type: 'varchar', length: 36, name: 'grantee_id', nullable: true }) granteeId!: string | null;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: true, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'grantee_id' })
  private readonly fk_grantee_id?: UserEntity;

  /** The invited address (lower case); cleared once the grantee accepted, as Vaultwarden does. */
  @Column({ type: 'varchar', length: 255, nullable: true }) email!: string | null;
  /** The grantor's user key wrapped to the grantee's public key (type 4 EncString); set at confirm. */
  @Column({ type: 'text', name: 'key_encrypted', nullable: true }) keyEncrypted!: string | null;
  @Column({ type: 'smallint', name: 'atype' }) type!: EmergencyAccessType;
  @Column({ type: 'smallint' }) status!: EmergencyAccessStatus;
  @Column({ type: 'integer', name: 'wait_time_days' }) waitTimeDays!: number;
  @TimestampColumn({ name: 'recovery_initiated_at', nullable: true }) recoveryInitiatedAt!: Date | null;
  @TimestampColumn({ name: 'last_notification_at', nullable: true }) lastNotificationAt!: Date | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
