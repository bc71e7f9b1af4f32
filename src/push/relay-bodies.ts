import { toMicrosDate } from '../common/time/clock';
import { toCamelPayload, WirePayload } from '../wire/payloads';
import { UpdateType } from '../wire/update-type';

/** A JSON value as posted to the relay. */
export type RelayJson = string | number | boolean | null | RelayJson[] | { [key: string]: RelayJson };

/**
 * A relay payload (notifications.md §5.2): the shared payload of the hub in camelCase, dates as RFC 3339 with
 * six fractional digits. Ids and dates only, never vault data.
 */
export function relayPayload(payload: WirePayload): { [key: string]: RelayJson } {
  const out: { [key: string]: RelayJson } = {};
  for (const [key, value] of Object.entries(toCamelPayload(payload))) {
    out[key] = value instanceof Date ? toMicrosDate(value) : value;
  }
  return out;
}

/** Body of POST /push/send (§10.7), keys in the documented order. */
export function sendBody(p: { userId: string; type: UpdateType; payload: WirePayload; deviceId: string | null; identifier: string | null }): { [key: string]: RelayJson } {
  return {
    userId: p.userId.toLowerCase(),
    organizationId: null,
    deviceId: p.deviceId === null ? null : p.deviceId.toLowerCase(),
    identifier: p.identifier,
    type: p.type,
    payload: relayPayload(p.payload),
    clientType: null,
    installationId: null,
  };
}

/** Body of POST /push/register (§10.4). Ids unprefixed: the relay prefixes them itself. */
export function registerBody(p: { deviceId: string; pushToken: string; userId: string; type: number; identifier: string; organizationIds: string[]; installationId: string }): { [key: string]: RelayJson } {
  return {
    deviceId: p.deviceId.toLowerCase(),
    pushToken: p.pushToken,
    userId: p.userId.toLowerCase(),
    type: p.type,
    identifier: p.identifier,
    organizationIds: p.organizationIds.map((id) => id.toLowerCase()),
    installationId: p.installationId,
  };
}

/** Body of POST /push/delete (§10.5). */
export function deleteBody(deviceId: string): { [key: string]: RelayJson } {
  return { id: deviceId.toLowerCase() };
}
