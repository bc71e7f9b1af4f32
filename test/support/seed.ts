// TEST CODE ONLY: users and devices inserted straight into the database, with access tokens minted by the app.
import { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TokenService } from '../../src/common/auth/token.service';
import { DeviceEntity, UserEntity } from '../../src/db/entities';
import { DATA_SOURCE } from '../../src/db/unit-of-work';
import { hashMasterPasswordHash } from '../../src/accounts/password-hasher';

export interface SeededUser {
  id: string;
  email: string;
  name: string;
  deviceId: string;
  deviceIdentifier: string;
  /** The client-side master password hash (base64) the account was created with. */
  masterPasswordHash: string;
  /** Bearer access token for the seeded device (scope api, client web). */
  token: string;
}

/** A valid-looking EncString (type 2: iv|data|mac, base64). */
export function encString(seed = randomBytes(8).toString('hex')): string {
  const b64 = (n: number): string => randomBytes(n).toString('base64');
  return `2.${b64(16)}|${Buffer.from(seed).toString('base64')}${b64(12)}|${b64(32)}`;
}

let counter = 0;

/** Inserts an enabled user with keys and one web-vault device; returns it with an access token. */
export async function seedUser(app: INestApplication, overrides: { email?: string; name?: string } = {}): Promise<SeededUser> {
  counter += 1;
  const db = app.get<DataSource>(DATA_SOURCE);
  const now = new Date();
  const email = overrides.email ?? `user${counter}-${randomBytes(4).toString('hex')}@example.com`;
  const name = overrides.name ?? `Test User ${counter}`;
  const masterPasswordHash = randomBytes(32).toString('base64');
  const hashed = await hashMasterPasswordHash(masterPasswordHash, 100_000);

  const user = new UserEntity();
  Object.assign(user, {
    id: randomUUID(),
    email,
    name,
    emailVerified: true,
    enabled: true,
    passwordHash: hashed.hash,
    passwordSalt: hashed.salt,
    passwordIterations: hashed.iterations,
    passwordHint: null,
    kdfType: 0,
    kdfIterations: 600_000,
    kdfMemory: null,
    kdfParallelism: null,
    userKey: encString('user-key'),
    privateKey: encString('private-key'),
    publicKey: randomBytes(294).toString('base64'),
    userKeyId: null,
    securityStamp: randomUUID(),
    apiKey: randomBytes(20).toString('hex'),
    culture: 'en-US',
    avatarColor: null,
    equivalentDomains: '[]',
    excludedGlobalDomains: '[]',
    creationDate: now,
    updatedDate: now,
    revisionDate: now,
  } satisfies Partial<UserEntity>);
  await db.getRepository(UserEntity).insert(user);

  const device = new DeviceEntity();
  Object.assign(device, {
    id: randomUUID(),
    userId: user.id,
    identifier: randomUUID(),
    name: 'chrome',
    type: 9,
    active: true,
    refreshTokenHash: null,
    pushToken: null,
    hubDisconnectedAt: null,
    creationDate: now,
    revisionDate: now,
  } satisfies Partial<DeviceEntity>);
  await db.getRepository(DeviceEntity).insert(device);

  const { token } = app.get(TokenService).issueAccessToken({
    user: { id: user.id, email, name, emailVerified: true, securityStamp: user.securityStamp },
    device: { identifier: device.identifier, type: 9 },
    clientId: 'web',
    scope: ['api', 'offline_access'],
    amr: ['Application'],
  });
  return { id: user.id, email, name, deviceId: device.id, deviceIdentifier: device.identifier, masterPasswordHash, token };
}
