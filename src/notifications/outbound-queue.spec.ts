import { randomUUID } from 'node:crypto';
import { authRequestPayload, logoutPayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';
import { encodeUpdate } from './hub-delivery.service';
import { OutboundFrame, OutboundQueue } from './outbound-queue';
import { HubProtocol, jsonProtocol, messagePackProtocol } from './signalr';

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

  describe.each<[string, HubProtocol]>([['MessagePack', messagePackProtocol], ['JSON', jsonProtocol]])('collapse with AuthRequest frames as the hub encodes them (%s)', (_name, protocol) => {
    const userId = randomUUID();
    const authRequest = (requestId: string, device = randomUUID()): OutboundFrame => encodeUpdate(protocol, UpdateType.AuthRequest, device, authRequestPayload({ id: requestId, userId }));
    const logOut = (): OutboundFrame => encodeUpdate(protocol, UpdateType.LogOut, null, logoutPayload({ userId, date: new Date(), reason: null }));
    const drainFrames = (q: OutboundQueue): OutboundFrame[] => {
      const out: OutboundFrame[] = [];
      for (let f = q.shift(); f; f = q.shift()) out.push(f);
      return out;
    };

    it('keeps only the newest AuthRequest frame of each request, in place, with LogOut and one SyncVault', () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const q = new OutboundQueue({ maxMessages: 6, maxBytes: 1_000_000 });
      const a1 = authRequest(a);
      const b1 = authRequest(b);
      const a2 = authRequest(a);
      const out = logOut();
      const a3 = authRequest(a);
      for (const f of [a1, frame(UpdateType.SyncCipherUpdate), b1, a2, out, a3]) expect(q.push(f, 0, syncVault)).toBe(true);
      const vault = syncVault();
      expect(q.push(frame(UpdateType.SyncFolderCreate), 0, () => vault)).toBe(false);
      expect(drainFrames(q)).toEqual([b1, out, a3, vault]);
      expect(q.queuedBytes).toBe(0);
    });

    it('a flood of AuthRequest frames for one request collapses to one; different requests all stay', () => {
      const flooded = randomUUID();
      const others = [randomUUID(), randomUUID()];
      const q = new OutboundQueue({ maxMessages: 50, maxBytes: 1_000_000 });
      const frames = [...Array.from({ length: 48 }, () => authRequest(flooded)), ...others.map((id) => authRequest(id))];
      for (const f of frames) expect(q.push(f, 0, syncVault)).toBe(true);
      const last = authRequest(flooded);
      const vault = syncVault();
      expect(q.push(last, 0, () => vault)).toBe(false);
      expect(drainFrames(q)).toEqual([...frames.slice(48), last, vault]);
    });
  });
});
