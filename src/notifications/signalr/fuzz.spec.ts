import { parseHandshake } from './handshake';
import * as json from './json';
import * as messagePack from './messagepack';
import { hex, utf8 } from '../../../test/fixtures/signalr/hex';
import {
  CLIENT_CLOSE_HEX,
  CLOSE_UNAUTHORIZED_HEX,
  HANDSHAKE_REQUEST_JSON_HEX,
  HANDSHAKE_REQUEST_MESSAGEPACK_HEX,
  HEARTBEAT_HEX,
  JSON_CLOSE_UNAUTHORIZED,
  JSON_SYNC_VAULT_RECORD,
  PING_HEX,
  VECTOR_A_HEX,
  VECTOR_B_HEX,
  VECTOR_C_HEX,
} from '../../../test/fixtures/signalr/vectors';

/** mulberry32: small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS: Uint8Array[] = [
  ...[VECTOR_A_HEX, VECTOR_B_HEX, VECTOR_C_HEX, HEARTBEAT_HEX, PING_HEX, CLIENT_CLOSE_HEX, CLOSE_UNAUTHORIZED_HEX].map(hex),
  hex(HANDSHAKE_REQUEST_MESSAGEPACK_HEX),
  hex(HANDSHAKE_REQUEST_JSON_HEX),
  utf8(JSON_SYNC_VAULT_RECORD),
  utf8(JSON_CLOSE_UNAUTHORIZED),
  utf8('{"type":6}\u001e'),
];
// Bytes that matter to the parsers: msgpack headers with big lengths, JSON punctuation, separator.
const INTERESTING = [0x00, 0x1e, 0x7f, 0x80, 0xff, 0xc0, 0xc1, 0xc7, 0xc9, 0xd7, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x7b, 0x7d, 0x22, 0x5b, 0x5d, 0x3a];

function makeFrame(rand: () => number): Uint8Array {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    // random bytes
    const out = new Uint8Array(Math.floor(rand() * 96));
    for (let i = 0; i < out.length; i++) out[i] = rand() < 0.3 ? pick(INTERESTING) : Math.floor(rand() * 256);
    return out;
  }
  const seed = pick(SEEDS);
  if (kind === 1) {
    // truncation
    return seed.slice(0, Math.floor(rand() * seed.length));
  }
  if (kind === 2) {
    // byte mutations
    const out = seed.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < flips && out.length > 0; i++) {
      out[Math.floor(rand() * out.length)] = rand() < 0.5 ? pick(INTERESTING) : Math.floor(rand() * 256);
    }
    return out;
  }
  if (kind === 3) {
    // concatenation of valid and truncated records
    const a = pick(SEEDS);
    const b = pick(SEEDS);
    return new Uint8Array([...a, ...b.slice(0, Math.floor(rand() * (b.length + 1)))]);
  }
  // random JSON-ish text
  const alphabet = '{}[]":,0123456789abcdefghijklmnopqrstuvwxyz \u001e\\type\u00e9';
  let text = '';
  const n = Math.floor(rand() * 80);
  for (let i = 0; i < n; i++) text += alphabet.charAt(Math.floor(rand() * alphabet.length));
  return utf8(text);
}

describe('fuzz: decoders and handshake never throw', () => {
  it('5,000 seeded random / truncated / mutated frames', () => {
    const rand = prng(0x5eed1234);
    const decoder = new TextDecoder();
    let slowest = 0;
    const outcomes = { ok: 0, failed: 0 };
    const started = Date.now();
    for (let i = 0; i < 5000; i++) {
      const frame = makeFrame(rand);
      const text = decoder.decode(frame);
      const t0 = Date.now();
      const results = [
        messagePack.decodeMessages(frame),
        json.decodeMessages(frame),
        json.decodeMessages(text),
        parseHandshake(frame),
        parseHandshake(text),
      ];
      slowest = Math.max(slowest, Date.now() - t0);
      for (const result of results) {
        expect(typeof result.ok).toBe('boolean');
        if (result.ok) {
          outcomes.ok++;
        } else {
          outcomes.failed++;
          expect(typeof ('reason' in result ? result.reason : result.error)).toBe('string');
        }
      }
    }
    expect(outcomes.ok + outcomes.failed).toBe(25000);
    expect(outcomes.ok).toBeGreaterThan(0); // the corpus does reach the success paths
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(15000);
  }, 20000);
});
