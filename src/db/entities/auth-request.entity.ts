import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import { TimestampColumn } from '../columns';

/** A "log in with device" request: a new device asks an already logged-in device to approve its login. */
@Entity({ name: 'auth_requests' })
@Index('ix_auth_requests_user', ['userId'])
@Index('ix_auth_requests_organization', ['organizationId'])
export class AuthRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  /**
   * Admin-approval requests (type 2) only: the organization whose admins answer it (one request per organization
   * of the user, as bitwarden/server makes them). No foreign key: the queries join the membership.
   */
  @Column({ type: 'varchar', length: 36, name: 'organization_id', nullable: true }) organizationId!: string | null;
  @Column({ type: 'integer' }) type!: number;
  @Column({ type: 'varchar', length: 64, name: 'request_device_identifier' }) requestDeviceIdentifier!: string;
  @Column({ type: 'integer', name: 'request_device_type' }) requestDeviceType!: number;
  @Column({ type: 'varchar', length: 64, name: 'request_ip' }) requestIp!: string;
  /** SHA-256 (hex) of the access code; the code itself is a secret of the requesting device. */
  @Column({ type: 'varchar', length: 64, name: 'access_code_hash' }) accessCodeHash!: string;
  @Column({ type: 'text', name: 'public_key' }) publicKey!: string;
  @Column({ type: 'text', name: 'enc_key', nullable: true }) encKey!: string | null;
  @Column({ type: 'text', name: 'master_password_hash', nullable: true }) masterPasswordHash!: string | null;
  /** null = pending, true = approved, false = denied. */
  @Column({ type: 'boolean', nullable: true }) approved!: boolean | null;
  @Column({ type: 'varchar', length: 36, name: 'response_device_id', nullable: true }) responseDeviceId!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'response_date', nullable: true }) responseDate!: Date | null;
  @TimestampColumn({ name: 'authentication_date', nullable: true }) authenticationDate!: Date | null;
}
