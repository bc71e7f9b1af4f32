import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';
import { OrganizationEntity } from './organization.entity';

/** A collection of an organization; its name is an EncString under the organization key. */
@Entity({ name: 'collections' })
@Index('ix_collections_organization', ['organizationId'])
export class CollectionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'organization_id' }) organizationId!: string;
  /** Foreign key only (ON DELETE CASCADE); never loaded. */
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false, createForeignKeyConstraints: true })
  @JoinColumn({ name: 'organization_id' })
  private readonly fk_organization_id?: OrganizationEntity;

  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'varchar', length: 300, name: 'external_id', nullable: true }) externalId!: string | null;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
