import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { OrganizationEntity } from './organization.entity';
import { UserEntity } from './user.entity';

/** OrganizationUserStatusType. */
export const MembershipStatus = { Revoked: -1, Invited: 0, Accepted: 1, Confirmed: 2 } as const;
/** OrganizationUserType (3, Manager, no longer exists). */
export const MembershipType = { Owner: 0, Admin: 1, User: 2, Custom: 4 } as const;

/**
 * A user's place in an organization (bitwarden/server's OrganizationUser): its id is the "member id" of the
 * organization routes. Invited rows have an email and no user; confirmed rows carry the organization key
 * wrapped to the member's public key.
 */
@Entity({ name: 'memberships' })
@Index('uq_memberships_org_user', ['organizationId', 'userId'], { unique: true })
@Index('uq_memberships_org_email', ['organizationId', 'email'], { unique: true })
@Index('ix_memberships_user_status', ['userId', 'status'])
export class MembershipEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'organization_id' }) organizationId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'organization_id' })
  private readonly fk_organization_id?: OrganizationEntity;

  @Column({ type: 'varchar', length: 36, name: 'user_id', nullable: true }) userId!: string | null;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: true, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id' })
  private readonly fk_user_id?: UserEntity;

  @Column({ type: 'varchar', length: 256, nullable: true }) email!: string | null;
  @Column({ type: 'text', name: 'org_key', nullable: true }) orgKey!: string | null;
  @Column({ type: 'text', name: 'reset_password_key', nullable: true }) resetPasswordKey!: string | null;
  @Column({ type: 'integer' }) status!: number;
  @Column({ type: 'integer' }) type!: number;
  /** JSON of the custom role's permissions, or null. */
  @Column({ type: 'text', nullable: true }) permissions!: string | null;
  @Column({ type: 'varchar', length: 300, name: 'external_id', nullable: true }) externalId!: string | null;
  @Column({ type: 'varchar', length: 36, name: 'invited_by_user_id', nullable: true }) invitedByUserId!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
