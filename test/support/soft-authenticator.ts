// TEST CODE ONLY: a software WebAuthn authenticator (a "security key" in node:crypto) for the two-step login
// tests. It answers creation options with an attestation of format 'none' for an EC P-256 key (ES256, COSE
// alg -7) and request options with an assertion signed by that key, in the JSON shapes the Bitwarden clients send.
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';

/** Minimal CBOR (RFC 8949) encoder: unsigned and negative integers, byte and text strings, maps. Enough for attestations. */
type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(value, 1);
  return out;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Buffer): string => data.toString('base64url');

export interface CreationOptions { challenge: string; rp: { id?: string; name: string }; user: { id: string } }
export interface RequestOptions { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }

/** One credential of the software key. */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  private counter = 0;

  constructor(private readonly rpId: string, private readonly origin: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    this.publicJwk = { x: jwk.x, y: jwk.y };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** COSE_Key of the credential: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y. */
  private coseKey(): Buffer {
    return cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.publicJwk.x, 'base64url')], [-3, Buffer.from(this.publicJwk.y, 'base64url')]]));
  }

  /** navigator.credentials.create: clientDataJSON and an attestation object (fmt none), raw. */
  create(options: CreationOptions, origin = this.origin): { clientDataJSON: Buffer; attestationObject: Buffer } {
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }), 'utf8');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(options.rp.id ?? this.rpId), Buffer.from([0x41]), Buffer.alloc(4), Buffer.alloc(16), idLength, this.credentialId, this.coseKey(),
    ]);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return { clientDataJSON, attestationObject };
  }

  /**
   * PUT /api/two-factor/webauthn's `deviceResponse` as the clients up to 2026.6 build it: rawId is base64 of the id
   * string, AttestationObject and clientDataJson standard base64.
   */
  registrationBody(options: CreationOptions, origin = this.origin): Record<string, unknown> {
    const { clientDataJSON, attestationObject } = this.create(options, origin);
    return {
      id: this.id, rawId: Buffer.from(this.id, 'utf8').toString('base64'), type: 'public-key', extensions: {},
      response: { AttestationObject: attestationObject.toString('base64'), clientDataJson: clientDataJSON.toString('base64') },
    };
  }

  /** navigator.credentials.get, as the web vault's connector turns it into the `twoFactorToken` string of provider 7. */
  assertionToken(options: RequestOptions, origin = this.origin): string {
    this.counter += 1;
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }), 'utf8');
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const authenticatorData = Buffer.concat([sha256(options.rpId ?? this.rpId), Buffer.from([0x01]), count]);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), this.privateKey);
    return JSON.stringify({
      id: this.id, rawId: this.id, type: 'public-key', extensions: {},
      response: { authenticatorData: b64url(authenticatorData), clientDataJson: b64url(clientDataJSON), signature: b64url(signature), userHandle: null },
    });
  }
}
