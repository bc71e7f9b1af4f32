import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { TimestampColumn } from '../columns';

/**
 * The unique email, named as the migration named it: MySQL keeps unique constraints as unique indexes, and TypeORM
 * names an unnamed one IDX_… in the entity but UQ_… in the migration's table (PostgreSQL and SQLite: the same name).
 */
@Entity({ name: 'users' })
@Unique('UQ_97672ac88f789774dd47f7c8be3', ['email'])
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 255 }) email!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) name!: string | null;
  @Column({ type: 'boolean', name: 'email_verified', default: false }) emailVerified!: boolean;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Server-side slow hash of the client's master password hash (base64). */
  @Column({ type: 'varchar', length: 128, name: 'password_hash' }) passwordHash!: string;
  /** Base64: 32 bytes for accounts made here, 64 for accounts imported from Vaultwarden. */
  @Column({ type: 'varchar', length: 128, name: 'password_salt' }) passwordSalt!: string;
  @Column({ type: 'integer', name: 'password_iterations' }) passwordIterations!: number;
  @Column({ type: 'text', name: 'password_hint', nullable: true }) passwordHint!: string | null;
  @Column({ type: 'integer', name: 'kdf_type' }) kdfType!: number;
  @Column({ type: 'integer', name: 'kdf_iterations' }) kdfIterations!: number;
  @Column({ type: 'integer', name: 'kdf_memory', nullable: true }) kdfMemory!: number | null;
  @Column({ type: 'integer', name: 'kdf_parallelism', nullable: true }) kdfParallelism!: number | null;
  /** The user key wrapped by the stretched master key (EncString). */
  @Column({ type: 'text', name: 'user_key' }) userKey!: string;
  @Column({ type: 'text', name: 'private_key', nullable: true }) privateKey!: string | null;
  @Column({ type: 'text', name: 'public_key', nullable: true }) publicKey!: string | null;
  @Column({ type: 'varchar', length: 64, name: 'user_key_id', nullable: true }) userKeyId!: string | null;
  @Column({ type: 'varchar', length: 36, name: 'security_stamp' }) securityStamp!: string;
  @Column({ type: 'varchar', length: 64, name: 'api_key' }) apiKey!: string;
  /** Two-step login recovery code (shown by get-recover; turns two-step login off once). Null until a provider is set up. */
  @Column({ type: 'varchar', length: 64, name: 'two_factor_recovery_code', nullable: true }) twoFactorRecoveryCode!: string | null;
  /** When the last email verification mail was sent (SIGNUPS_VERIFY_RESEND_TIME), and how many refused logins re-sent one. */
  @TimestampColumn({ name: 'last_verifying_at', nullable: true }) lastVerifyingAt!: Date | null;
  @Column({ type: 'integer', name: 'login_verify_count', default: 0 }) loginVerifyCount!: number;
  /** A pending email change: the new address, the SHA-256 (hex) of the code mailed to it, when it was sent, wrong entries so far. */
  @Column({ type: 'varchar', length: 255, name: 'email_new', nullable: true }) emailNew!: string | null;
  @Column({ type: 'varchar', length: 64, name: 'email_new_token', nullable: true }) emailNewToken!: string | null;
  @TimestampColumn({ name: 'email_new_sent_at', nullable: true }) emailNewSentAt!: Date | null;
  @Column({ type: 'integer', name: 'email_new_attempts', default: 0 }) emailNewAttempts!: number;
  @Column({ type: 'varchar', length: 16, default: 'en-US' }) culture!: string;
  @Column({ type: 'varchar', length: 16, name: 'avatar_color', nullable: true }) avatarColor!: string | null;
  /** JSON text: array of arrays of domains. */
  @Column({ type: 'text', name: 'equivalent_domains', default: '[]' }) equivalentDomains!: string;
  /** JSON text: array of excluded global group type numbers. */
  @Column({ type: 'text', name: 'excluded_global_domains', default: '[]' }) excludedGlobalDomains!: string;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'updated_date' }) updatedDate!: Date;
  /** Account revision date: every vault write moves it; clients sync when it is newer than their last sync. */
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
