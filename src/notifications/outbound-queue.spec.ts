import { UpdateType } from '../common/wire/update-type';
import { OutboundFrame, OutboundQueue } from './outbound-queue';

const frame = (type: UpdateType | null, size = 10): OutboundFrame => ({ bytes: new Uint8Array(size).fill(type ?? 255), updateType: type });
const syncVault = (): OutboundFrame => frame(UpdateType.SyncVault);
const drain = (q: OutboundQueue): Array<UpdateType | null> => {
  const out: Array<UpdateType | null> = [];
  for (let f = q.shift(); f; f = q.shift()) out.push(f.updateType);
  return out;
};

describe('OutboundQueue', () => {
  it('keeps frames in order while under the limits', () => {
    const q = new OutboundQueue({ maxMessages: 3, maxBytes: 1000 });
    for (const t of [UpdateType.SyncCipherCreate, UpdateType.SyncFolderUpdate, UpdateType.LogOut]) expect(q.push(frame(t), 0, syncVault)).toBe(true);
    expect(q.queuedBytes).toBe(30);
    expect(drain(q)).toEqual([UpdateType.SyncCipherCreate, UpdateType.SyncFolderUpdate, UpdateType.LogOut]);
    expect(q.collapses).toBe(0);
  });

  it('on overflow keeps LogOut, AuthRequest and SyncOrgKeys in order, drops the rest and appends one SyncVault', () => {
    const q = new OutboundQueue({ maxMessages: 4, maxBytes: 1000 });
    for (const t of [UpdateType.SyncCipherUpdate, UpdateType.AuthRequest, UpdateType.SyncFolderCreate, UpdateType.SyncOrgKeys]) q.push(frame(t), 0, syncVault);
    expect(q.push(frame(UpdateType.LogOut), 0, syncVault)).toBe(false);
    expect(q.collapses).toBe(1);
    expect(drain(q)).toEqual([UpdateType.AuthRequest, UpdateType.SyncOrgKeys, UpdateType.LogOut, UpdateType.SyncVault]);
  });

  it('counts bytes the socket already buffers against the byte limit', () => {
    const q = new OutboundQueue({ maxMessages: 100, maxBytes: 100 });
    expect(q.push(frame(UpdateType.SyncCipherUpdate, 10), 50, syncVault)).toBe(true);
    expect(q.push(frame(UpdateType.SyncCipherUpdate, 10), 95, syncVault)).toBe(false);
    expect(drain(q)).toEqual([UpdateType.SyncVault]);
  });
});
