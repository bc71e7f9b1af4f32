import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../columns';

/** An organization (self-hosted: no plan or billing). Its symmetric key exists only wrapped, per member. */
@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 256, name: 'billing_email' }) billingEmail!: string;
  /** The organization's RSA key pair: the public key, and the private key wrapped by the organization key. */
  @Column({ type: 'text', name: 'public_key', nullable: true }) publicKey!: string | null;
  @Column({ type: 'text', name: 'private_key', nullable: true }) privateKey!: string | null;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @Column({ type: 'boolean', name: 'limit_collection_creation', default: false }) limitCollectionCreation!: boolean;
  @Column({ type: 'boolean', name: 'limit_collection_deletion', default: false }) limitCollectionDeletion!: boolean;
  @Column({ type: 'boolean', name: 'limit_item_deletion', default: false }) limitItemDeletion!: boolean;
  @Column({ type: 'boolean', name: 'allow_admin_access_to_all_collection_items', default: true }) allowAdminAccessToAllCollectionItems!: boolean;
  @TimestampColumn({ name: 'creation_date' }) creationDate!: Date;
  @TimestampColumn({ name: 'revision_date' }) revisionDate!: Date;
}
