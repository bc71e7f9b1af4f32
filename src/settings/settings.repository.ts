import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from '../db/entities';
import { UserDomains } from './dto/domains-response.dto';

function parseList<T>(text: string | null | undefined, keep: (value: unknown) => value is T): T[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(keep) : [];
  } catch {
    return [];
  }
}

const isGroup = (value: unknown): value is string[] => Array.isArray(value) && value.every((d) => typeof d === 'string');
const isType = (value: unknown): value is number => Number.isInteger(value);

/** The user's domain settings (columns of the users row). */
@Injectable()
export class SettingsRepository {
  async findDomains(db: EntityManager, userId: string): Promise<UserDomains | null> {
    const row = await db.getRepository(UserEntity).findOne({ where: { id: userId }, select: { id: true, equivalentDomains: true, excludedGlobalDomains: true } });
    if (!row) return null;
    return { equivalentDomains: parseList(row.equivalentDomains, isGroup), excludedGlobalDomains: parseList(row.excludedGlobalDomains, isType) };
  }

  async saveDomains(db: EntityManager, userId: string, domains: UserDomains, now: Date): Promise<void> {
    await db.getRepository(UserEntity).update(
      { id: userId },
      { equivalentDomains: JSON.stringify(domains.equivalentDomains), excludedGlobalDomains: JSON.stringify(domains.excludedGlobalDomains), updatedDate: now },
    );
  }
}
