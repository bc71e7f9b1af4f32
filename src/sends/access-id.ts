/**
 * A Send's `accessId`: its 16 id bytes as unpadded base64url, 22 characters (docs/sends-plan.md §3.2). Emitted in
 * RFC 4122 byte order, as Vaultwarden does, so links shared from a Vaultwarden instance keep working after a move;
 * links made by an official server (.NET byte order: the first three groups little-endian) are read too.
 */
const ACCESS_ID = /^[A-Za-z0-9_-]{22}$/;

function uuidFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** .NET's Guid.ToByteArray order from RFC order, and back (the same swap). */
function swapDotNet(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32BE(bytes.readUInt32LE(0), 0);
  out.writeUInt16BE(bytes.readUInt16LE(4), 4);
  out.writeUInt16BE(bytes.readUInt16LE(6), 6);
  return out;
}

export function toAccessId(sendId: string): string {
  return Buffer.from(sendId.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The Send ids an access id may name: RFC order first, then .NET order; [] when it is not an access id. */
export function sendIdsOf(accessId: string): string[] {
  if (!ACCESS_ID.test(accessId)) return [];
  const bytes = Buffer.from(accessId, 'base64url');
  if (bytes.length !== 16 || bytes.every((b) => b === 0)) return [];
  const rfc = uuidFromBytes(bytes);
  const dotNet = uuidFromBytes(swapDotNet(bytes));
  return rfc === dotNet ? [rfc] : [rfc, dotNet];
}
