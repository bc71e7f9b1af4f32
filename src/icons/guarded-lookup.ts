import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isGlobalAddress } from './global-address';

/** A request refused by HTTP_REQUEST_BLOCK_NON_GLOBAL_IPS or HTTP_REQUEST_BLOCK_REGEX. */
export class BlockedHostError extends Error {
  readonly code = 'ICON_HOST_BLOCKED';
  constructor(readonly host: string, readonly reason: 'non_global_address' | 'regex') {
    super(`${host}: blocked (${reason})`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The name resolution of the sockets that fetch icons: resolves as usual, then refuses the whole answer when any
 * address in it is not global. The socket connects only to an address this function handed it, so a name that
 * answers a public address to a first check and a private one at connect time (DNS rebinding) cannot get through.
 * (IP literals skip name resolution: the fetcher checks them itself.)
 */
export const nonGlobalRefusingLookup: LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, '');
      return;
    }
    if (addresses.length === 0 || addresses.some((entry) => !isGlobalAddress(entry.address))) {
      callback(new BlockedHostError(hostname, 'non_global_address'), '');
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
