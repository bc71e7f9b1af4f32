import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { CollectionEntity, CollectionMemberEntity, MembershipEntity } from '../db/entities';
import { MembershipStatus } from '../db/entities/membership.entity';

/** All SQL on collections and their member access rows. */
@Injectable()
export class CollectionsRepository {
  findCollection(db: EntityManager, organizationId: string, id: string): Promise<CollectionEntity | null> {
    return db.getRepository(CollectionEntity).findOne({ where: { organizationId, id } });
  }

  async insert(db: EntityManager, collection: CollectionEntity): Promise<void> {
    await db.getRepository(CollectionEntity).insert(collection);
  }

  async save(db: EntityManager, collection: CollectionEntity): Promise<void> {
    await db.getRepository(CollectionEntity).save(collection);
  }

  /** Deletes collections; their access rows and cipher links go by cascade. */
  async delete(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await db.getRepository(CollectionEntity).delete({ id: In(ids) });
  }

  accessRows(db: EntityManager, collectionIds: string[]): Promise<CollectionMemberEntity[]> {
    if (collectionIds.length === 0) return Promise.resolve([]);
    return db.getRepository(CollectionMemberEntity).find({ where: { collectionId: In(collectionIds) } });
  }

  async replaceAccess(db: EntityManager, collectionId: string, rows: CollectionMemberEntity[]): Promise<void> {
    await db.getRepository(CollectionMemberEntity).delete({ collectionId });
    if (rows.length > 0) await db.getRepository(CollectionMemberEntity).insert(rows);
  }

  /** The organization's memberships among `ids`. */
  membershipsOf(db: EntityManager, organizationId: string, ids: string[]): Promise<MembershipEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.getRepository(MembershipEntity).find({ where: { organizationId, id: In(ids) } });
  }

  /** User ids of the confirmed members among these membership ids. */
  async confirmedUserIdsOf(db: EntityManager, membershipIds: string[]): Promise<string[]> {
    if (membershipIds.length === 0) return [];
    const rows = await db.getRepository(MembershipEntity).find({ where: { id: In(membershipIds), status: MembershipStatus.Confirmed }, select: { userId: true } });
    return rows.map((r) => r.userId).filter((id): id is string => id !== null);
  }
}
