import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { HubIdentity } from './hub-connection';

export type UpgradeDecision =
  | { ok: true; identity: HubIdentity }
  | { ok: false; status: number; message: string; reason: string };

export type UpgradeAuthorizer = (request: IncomingMessage, url: URL) => Promise<UpgradeDecision>;

/** Symbol under which the accepted identity travels from the upgrade to the gateway. */
export const HUB_IDENTITY = Symbol('hubIdentity');
export type RequestWithIdentity = IncomingMessage & { [HUB_IDENTITY]?: HubIdentity };

/**
 * Per hub path, the check that runs on the HTTP upgrade request before any 101: authentication for
 * /hub, token syntax and the per-IP cap for /anonymous-hub. Gateways register themselves here.
 */
@Injectable()
export class HubUpgradeRouter {
  private readonly authorizers = new Map<string, UpgradeAuthorizer>();

  register(path: string, authorizer: UpgradeAuthorizer): void {
    this.authorizers.set(path, authorizer);
  }

  authorizerFor(path: string): UpgradeAuthorizer | undefined {
    return this.authorizers.get(path);
  }
}
