import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { OrganizationEntity } from './organization.entity';

/**
 * A group of an organization's members (bitwarden/server's Group): its members get the group's collection
 * access. The name is plain text. Table `org_groups`: GROUPS is reserved in MySQL 8.
 */
@Entity({ name: 'org_groups' })
@Index('ix_org_groups_organization', ['organizationId'])
export class GroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'organization_id' }) organizationId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'organization_id' })
  private readonly fk_organization_id?: OrganizationEntity;

  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 300, name: 'external_id', nullable: true }) externalId!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
