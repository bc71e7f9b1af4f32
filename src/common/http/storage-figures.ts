import { sizeName } from './size-name';

/** Storage as the official subscription models report it: a readable name and gigabytes, to two decimals. */
export interface StorageFigures { storageName: string | null; storageGb: number | null; maxStorageGb: number }

export function storageFigures(usedBytes: number, limitBytes: number | null): StorageFigures {
  const gb = (bytes: number): number => Math.round((bytes / 1024 ** 3) * 100) / 100;
  return {
    storageName: usedBytes > 0 ? sizeName(usedBytes) : null,
    storageGb: usedBytes > 0 ? gb(usedBytes) : null,
    // No limit configured: the official self-hosted figure for organization-provided premium.
    maxStorageGb: limitBytes === null ? 10_240 : Math.max(0, Math.floor(limitBytes / 1024 ** 3)),
  };
}
