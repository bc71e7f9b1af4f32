import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { OrganizationEntity } from './organization.entity';

/** One policy of an organization (one row per type). `data` is JSON text or null. */
@Entity({ name: 'policies' })
@Index('uq_policies_org_type', ['organizationId', 'type'], { unique: true })
export class PolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'organization_id' }) organizationId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'organization_id' })
  private readonly fk_organization_id?: OrganizationEntity;

  @Column({ type: 'integer' }) type!: number;
  @Column({ type: 'boolean', default: false }) enabled!: boolean;
  @Column({ type: 'text', nullable: true }) data!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
