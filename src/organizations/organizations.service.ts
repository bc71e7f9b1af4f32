import { Inject, Injectable } from '@nestjs/common';
import { AttachmentCleanup } from '../attachments/attachment-cleanup.service';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountRevisionService } from '../accounts/account-revision.service';
import { AccountsQueryService } from '../accounts/accounts-query.service';
import { verifyMasterPasswordHash } from '../accounts/password-hasher';
import { AuthContext } from '../common/auth/auth-context';
import { ErrorCode } from '../common/errors/error-code';
import { VaultError } from '../common/errors/vault-error';
import { ListResponseDto, toListResponse } from '../common/http/list-response';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.tokens';
import { CollectionEntity, CollectionMemberEntity, MembershipEntity, OrganizationEntity } from '../db/entities';
import { MembershipStatus, MembershipType } from '../db/entities/membership.entity';
import { Tx, UnitOfWork } from '../db/unit-of-work';
import { EventBus } from '../event-bus/event-bus.service';
import {
  CollectionManagementRequestDto, OrganizationCreateRequestDto, OrganizationDeleteRequestDto, OrganizationKeysRequestDto, OrganizationUpdateRequestDto,
} from './dto/organization-request.dto';
import {
  CollectionResponseDto, OrganizationKeysResponseDto, OrganizationPublicKeyResponseDto, OrganizationResponseDto, ProfileOrganizationResponseDto,
} from './dto/organization-response.dto';
import { permissionsOf, toCollectionResponse, toOrganizationResponse } from './dto/organization-response.mapper';
import { OrganizationsQueryService } from './organizations-query.service';
import { PoliciesQueryService } from './policies-query.service';
import { OrganizationsRepository } from './organizations.repository';

/** Roles that may read every collection of an organization (docs/organizations-plan.md §2). */
function readsAllCollections(membership: MembershipEntity): boolean {
  if (membership.type === MembershipType.Owner || membership.type === MembershipType.Admin) return true;
  if (membership.type !== MembershipType.Custom) return false;
  const permissions = permissionsOf(membership.permissions);
  return permissions.editAnyCollection || permissions.deleteAnyCollection;
}

/**
 * Organization commands: create, read, edit, delete, leave, keys. Each write is one unit of work that bumps the
 * affected users' account revision dates and emits OrganizationKeysChanged, so their clients resync the
 * organization list and keys (SyncOrgKeys, notifications.md §8.6). A self-hosted organization has no billing.
 */
@Injectable()
export class OrganizationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly repo: OrganizationsRepository,
    private readonly query: OrganizationsQueryService,
    private readonly accounts: AccountsQueryService,
    private readonly accountRevision: AccountRevisionService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly policies: PoliciesQueryService,
    private readonly attachmentFiles: AttachmentCleanup,
  ) {}

  /** POST /api/organizations: the creator becomes its confirmed owner; `collectionName` makes a first collection the owner manages. */
  async create(auth: AuthContext, dto: OrganizationCreateRequestDto): Promise<OrganizationResponseDto> {
    return this.uow.run(async (tx) => {
      const user = await this.accounts.requireUser(tx.manager, auth.userId);
      const allowed = this.config.orgCreationUsers;
      if (!allowed.everyone && !allowed.emails.includes(user.email.toLowerCase())) throw new VaultError(ErrorCode.OrganizationCreationNotAllowed);
      await this.policies.assertMayCreateOrganization(tx.manager, auth.userId);
      const now = this.clock.now();
      const organization = Object.assign(new OrganizationEntity(), {
        id: randomUUID(), name: dto.name, billingEmail: dto.billingEmail.toLowerCase(), publicKey: dto.keys?.publicKey ?? null,
        privateKey: dto.keys?.encryptedPrivateKey ?? null, enabled: true, limitCollectionCreation: false, limitCollectionDeletion: false,
        limitItemDeletion: false, allowAdminAccessToAllCollectionItems: true, creationDate: now, revisionDate: now,
      });
      await this.repo.insertOrganization(tx.manager, organization);
      const membership = Object.assign(new MembershipEntity(), {
        id: randomUUID(), organizationId: organization.id, userId: auth.userId, email: null, orgKey: dto.key, resetPasswordKey: null,
        status: MembershipStatus.Confirmed, type: MembershipType.Owner, permissions: null, externalId: null, invitedByUserId: null,
        creationDate: now, revisionDate: now,
      });
      await this.repo.insertMembership(tx.manager, membership);
      if (dto.collectionName) {
        const collection = Object.assign(new CollectionEntity(), {
          id: randomUUID(), organizationId: organization.id, name: dto.collectionName, externalId: null, creationDate: now, revisionDate: now,
        });
        await this.repo.insertCollection(tx.manager, collection);
        await this.repo.insertCollectionMember(tx.manager, Object.assign(new CollectionMemberEntity(), {
          collectionId: collection.id, membershipId: membership.id, readOnly: false, hidePasswords: false, manage: true,
        }));
      }
      await this.keysChanged(tx, organization.id, [auth.userId], 'created', auth, now);
      return toOrganizationResponse(organization, { groups: this.config.orgGroupsEnabled });
    });
  }

  /** GET /api/organizations: the caller's confirmed memberships as profile entries. */
  list(auth: AuthContext): Promise<ListResponseDto<ProfileOrganizationResponseDto>> {
    return this.uow.read(async (db) => toListResponse(await this.query.forUser(db, auth.userId)));
  }

  get(auth: AuthContext, id: string): Promise<OrganizationResponseDto> {
    return this.uow.read(async (db) => toOrganizationResponse((await this.requireOwner(db, auth, id)).organization, { groups: this.config.orgGroupsEnabled }));
  }

  update(auth: AuthContext, id: string, dto: OrganizationUpdateRequestDto): Promise<OrganizationResponseDto> {
    return this.uow.run(async (tx) => {
      const { organization } = await this.requireOwner(tx.manager, auth, id);
      if (dto.name) organization.name = dto.name;
      if (dto.billingEmail) organization.billingEmail = dto.billingEmail.toLowerCase();
      if (dto.keys && organization.publicKey === null && organization.privateKey === null) {
        organization.publicKey = dto.keys.publicKey;
        organization.privateKey = dto.keys.encryptedPrivateKey;
      }
      organization.revisionDate = this.clock.now();
      await this.repo.saveOrganization(tx.manager, organization);
      return toOrganizationResponse(organization, { groups: this.config.orgGroupsEnabled });
    });
  }

  updateCollectionManagement(auth: AuthContext, id: string, dto: CollectionManagementRequestDto): Promise<OrganizationResponseDto> {
    return this.uow.run(async (tx) => {
      const { organization } = await this.requireOwner(tx.manager, auth, id);
      organization.limitCollectionCreation = dto.limitCollectionCreation;
      organization.limitCollectionDeletion = dto.limitCollectionDeletion;
      if (dto.limitItemDeletion !== undefined) organization.limitItemDeletion = dto.limitItemDeletion;
      if (dto.allowAdminAccessToAllCollectionItems !== undefined) organization.allowAdminAccessToAllCollectionItems = dto.allowAdminAccessToAllCollectionItems;
      organization.revisionDate = this.clock.now();
      await this.repo.saveOrganization(tx.manager, organization);
      return toOrganizationResponse(organization, { groups: this.config.orgGroupsEnabled });
    });
  }

  /** Deletes the organization after checking the owner's master password; every confirmed member is told (6). */
  async delete(auth: AuthContext, id: string, dto: OrganizationDeleteRequestDto): Promise<void> {
    const user = await this.uow.read(async (db) => {
      await this.requireOwner(db, auth, id);
      return this.accounts.requireUser(db, auth.userId);
    });
    if (!(await verifyMasterPasswordHash(user, dto.masterPasswordHash, { priority: true }))) throw new VaultError(ErrorCode.UserVerificationFailed);
    await this.uow.run(async (tx) => {
      await this.requireOwner(tx.manager, auth, id);
      await this.deleteIn(tx, id, auth.actor);
    });
  }

  /** The admin panel's delete: no owner or password needed; every confirmed member is told (6) as for an owner's. */
  async deleteByAdmin(id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      if (!(await this.repo.findOrganization(tx.manager, id))) throw new VaultError(ErrorCode.OrganizationNotFound);
      await this.deleteIn(tx, id, null);
    });
  }

  /** Every organization with its number of members and items (the admin panel's overview). */
  overview(): Promise<Array<{ id: string; name: string; billingEmail: string; enabled: boolean; members: number; items: number }>> {
    return this.uow.read((db) => this.repo.overview(db));
  }

  private async deleteIn(tx: Tx, id: string, actor: AuthContext['actor'] | null): Promise<void> {
    const members = await this.repo.confirmedUserIds(tx.manager, id);
    await this.attachmentFiles.forOrganization(tx, id);
    await this.repo.deleteOrganization(tx.manager, id);
    if (members.length === 0) return;
    const now = this.clock.now();
    await this.accountRevision.bump(tx, members, now);
    await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId: id, userIds: members, reason: 'deleted', actor });
  }

  /** POST /api/organizations/{id}/leave: any member but the last confirmed owner. */
  leave(auth: AuthContext, id: string): Promise<void> {
    return this.uow.run(async (tx) => {
      const membership = await this.repo.findMembership(tx.manager, id, auth.userId);
      if (!membership) throw new VaultError(ErrorCode.OrganizationNotFound);
      if (membership.type === MembershipType.Owner && membership.status === MembershipStatus.Confirmed && (await this.repo.countConfirmedOwners(tx.manager, id)) <= 1) {
        throw new VaultError(ErrorCode.LastOwner);
      }
      await this.repo.deleteMembership(tx.manager, membership.id);
      await this.keysChanged(tx, id, [auth.userId], 'left', auth, this.clock.now());
    });
  }

  /** GET /api/organizations/{id}/public-key: for any signed-in user (invitations wrap keys to it). */
  publicKey(id: string): Promise<OrganizationPublicKeyResponseDto> {
    return this.uow.read(async (db) => {
      const organization = await this.repo.findOrganization(db, id);
      if (!organization) throw new VaultError(ErrorCode.OrganizationNotFound);
      return { publicKey: organization.publicKey, object: 'organizationPublicKey' };
    });
  }

  /** POST /api/organizations/{id}/keys: sets the key pair of an organization created without one. */
  createKeys(auth: AuthContext, id: string, dto: OrganizationKeysRequestDto): Promise<OrganizationKeysResponseDto> {
    return this.uow.run(async (tx) => {
      const { organization, membership } = await this.requireConfirmed(tx.manager, auth, id);
      const permissions = permissionsOf(membership.permissions);
      const allowed = membership.type === MembershipType.Owner || membership.type === MembershipType.Admin
        || (membership.type === MembershipType.Custom && permissions.manageResetPassword);
      if (!allowed) throw new VaultError(ErrorCode.OrganizationNotFound);
      if (organization.publicKey !== null || organization.privateKey !== null) throw new VaultError(ErrorCode.OrganizationKeysExist);
      organization.publicKey = dto.publicKey;
      organization.privateKey = dto.encryptedPrivateKey;
      organization.revisionDate = this.clock.now();
      await this.repo.saveOrganization(tx.manager, organization);
      return { publicKey: organization.publicKey, privateKey: organization.privateKey, object: 'organizationKeys' };
    });
  }

  /** GET /api/organizations/{id}/collections: every collection for roles that read all, else the ones the caller manages. */
  collections(auth: AuthContext, id: string): Promise<ListResponseDto<CollectionResponseDto>> {
    return this.uow.read(async (db) => {
      const { membership } = await this.requireConfirmed(db, auth, id);
      if (readsAllCollections(membership)) return toListResponse((await this.repo.listCollections(db, id)).map(toCollectionResponse));
      const managed = (await this.repo.assignedCollections(db, [membership.id])).filter(({ access }) => access.manage);
      return toListResponse(managed.map(({ collection }) => toCollectionResponse(collection)));
    });
  }

  private requireConfirmed(db: EntityManager, auth: AuthContext, id: string): Promise<{ organization: OrganizationEntity; membership: MembershipEntity }> {
    return this.query.requireConfirmedMember(db, id, auth.userId);
  }

  private async requireOwner(db: EntityManager, auth: AuthContext, id: string): Promise<{ organization: OrganizationEntity; membership: MembershipEntity }> {
    const found = await this.requireConfirmed(db, auth, id);
    if (found.membership.type !== MembershipType.Owner) throw new VaultError(ErrorCode.OrganizationNotFound);
    return found;
  }

  private async keysChanged(tx: Tx, organizationId: string, userIds: string[], reason: 'created' | 'left' | 'deleted', auth: AuthContext, now: Date): Promise<void> {
    if (userIds.length === 0) return;
    await this.accountRevision.bump(tx, userIds, now);
    await this.bus.emit(tx, 'OrganizationKeysChanged', { organizationId, userIds, reason, actor: auth.actor });
  }
}
