/**
 * Organization fan-out (issue 15): an organization of BENCH_ORG_MEMBERS (500) confirmed members, all assigned to
 * one collection, each with BENCH_ORG_SOCKETS_PER_MEMBER (2) MessagePack hub sockets held by a separate process.
 * The owner writes BENCH_ORG_RATE (10) cipher creates a second for BENCH_ORG_SECONDS (10): first personal ones
 * (each delivered to the owner's own sockets), then organization ones in the collection (each delivered to every
 * member's sockets). Measured for both: write latency, and delivery latency from the write's request start
 * (p50/p90/p99/max), missing deliveries, server CPU. This server only: the figures are read as the ratio of the
 * organization case to the personal one, in the same run. With BENCH_ORG_PUSH (default on) push goes to the
 * relay stand-in and every member has a registered phone.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { encryptType2, encryptType4, loginCipherRequest } from '../../test/support/test-crypto';
import { BenchAccount, mobileLogin, openAccount } from '../lib/accounts';
import { BenchRelay } from '../lib/relay';
import { deliverySwarm } from '../lib/delivery-swarm-client';
import { latencyCdfSpec } from '../lib/plot';
import { Scenario } from '../lib/scenario';
import { distribution, Distribution } from '../lib/stats';
import { sampleProcess, startTarget, Target } from '../lib/targets';

const now = (): number => performance.timeOrigin + performance.now();

interface Phase { writes: number; failed: number; expected: number; missing: number; writeMs: Distribution; deliveryMs: Distribution; cpuPercent: number; samples: number[] }

async function json(target: Target, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${target.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export const orgFanoutScenario: Scenario = {
  name: 'org-fanout',
  title: 'organization fan-out: each write to every member\'s sockets, against the personal-vault case',
  async run(targets) {
    if (!targets.includes('vaultwave')) return { results: { skipped: 'this server only' }, table: {} };
    const members = Number(process.env.BENCH_ORG_MEMBERS ?? 500);
    const socketsPerMember = Number(process.env.BENCH_ORG_SOCKETS_PER_MEMBER ?? 2);
    const rate = Number(process.env.BENCH_ORG_RATE ?? 10);
    const seconds = Number(process.env.BENCH_ORG_SECONDS ?? 10);
    // BENCH_ORG_PUSH (default 1): push on, against the relay stand-in, and every member has a registered phone, so
    // each write also queues a relay send per member (in its transaction: what this measures).
    const withPush = process.env.BENCH_ORG_PUSH !== '0';
    const relay = withPush ? await BenchRelay.start() : null;
    const target = await startTarget('vaultwave', { INVITATIONS_ALLOWED: 'true', ...(relay ? relay.env() : {}) });
    try {
      const people: BenchAccount[] = [];
      for (let i = 0; i < members; i += 4) people.push(...await Promise.all(Array.from({ length: Math.min(4, members - i) }, () => openAccount(target))));
      if (relay) {
        for (let i = 0; i < people.length; i += 4) await Promise.all(people.slice(i, i + 4).map((p) => mobileLogin(target.baseUrl, p.account)));
        const deadline = Date.now() + 120_000;
        while (relay.standIn.bodies('register').length < people.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        console.log(`org-fanout: ${relay.standIn.bodies('register').length} phones registered at the relay stand-in`);
      }
      const [owner, ...rest] = people as [BenchAccount, ...BenchAccount[]];
      console.log(`org-fanout: ${people.length} accounts`);

      const orgKey = randomBytes(64);
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
      const org = await json(target, owner.token, 'POST', '/api/organizations', {
        name: 'Bench', billingEmail: owner.account.email, key: encryptType4(orgKey, owner.account.publicKey), collectionName: encryptType2('All', orgKey),
        keys: { publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), encryptedPrivateKey: encryptType2(pair.privateKey.export({ type: 'pkcs8', format: 'der' }), orgKey) },
      });
      const orgId = String(org.body.id);
      for (let i = 0; i < rest.length; i += 20) {
        await json(target, owner.token, 'POST', `/api/organizations/${orgId}/users/invite`, { emails: rest.slice(i, i + 20).map((m) => m.account.email), type: 2 });
      }
      const listed = (await json(target, owner.token, 'GET', `/api/organizations/${orgId}/users`)).body.data as Array<{ id: string; email: string; status: number }>;
      const byEmail = new Map(rest.map((m) => [m.account.email, m]));
      const keys = listed.filter((m) => m.status === 1).map((m) => ({ id: m.id, key: encryptType4(orgKey, byEmail.get(m.email)!.account.publicKey) }));
      if (keys.length > 0) await json(target, owner.token, 'POST', `/api/organizations/${orgId}/users/confirm`, { keys });
      const collectionId = String((await json(target, owner.token, 'GET', `/api/organizations/${orgId}/collections`)).body.data[0].id);
      await json(target, owner.token, 'PUT', `/api/organizations/${orgId}/collections/${collectionId}`, {
        name: encryptType2('All', orgKey), users: listed.map((m) => ({ id: m.id, readOnly: false, hidePasswords: false, manage: m.email === owner.account.email })),
      });
      console.log(`org-fanout: organization of ${listed.length} members`);

      const sockets = deliverySwarm();
      await sockets.ask({}, (r) => r.ready === true);
      const opened = await sockets.ask({ open: { hubUrl: target.hubUrl, tokens: people.map((p) => p.token), perToken: socketsPerMember } }, (r) => r.opened !== undefined);
      await new Promise((r) => setTimeout(r, 3_000));

      const personalBody = loginCipherRequest(owner.account, owner.userId, { name: 'personal', username: 'u', password: 'p', uri: 'https://bench.example' });
      const orgBody = { cipher: { ...loginCipherRequest(owner.account, owner.userId, { name: 'shared', username: 'u', password: 'p', uri: 'https://bench.example' }), encryptedFor: null, organizationId: orgId }, collectionIds: [collectionId] };

      const phase = async (path: string, body: unknown, recipients: number): Promise<Phase> => {
        const writes: Array<{ id: string | null; start: number; end: number }> = [];
        const total = rate * seconds;
        const began = now();
        const cpuBefore = sampleProcess(target.pid);
        const pending: Array<Promise<void>> = [];
        for (let i = 0; i < total; i += 1) {
          const wait = began + (i * 1000) / rate - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          pending.push((async () => {
            const start = now();
            try {
              const res = await fetch(`${target.baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
              const parsed = (await res.json()) as { id?: string };
              writes.push({ id: res.ok && parsed.id ? parsed.id.toLowerCase() : null, start, end: now() });
            } catch {
              writes.push({ id: null, start, end: now() });
            }
          })());
        }
        await Promise.all(pending);
        const cpuAfter = sampleProcess(target.pid);
        const elapsed = Math.max(1, now() - began);
        await new Promise((r) => setTimeout(r, 5_000));
        const report = await sockets.ask({ report: true }, (r) => r.receipts !== undefined);
        const samples: number[] = [];
        let missing = 0;
        const ok = writes.filter((w) => w.id);
        for (const write of ok) {
          const times = report.receipts![write.id!] ?? [];
          missing += Math.max(0, recipients - times.length);
          for (const at of times) samples.push(at - write.start);
        }
        return {
          writes: writes.length, failed: writes.length - ok.length, expected: ok.length * recipients, missing,
          writeMs: distribution(ok.map((w) => w.end - w.start)), deliveryMs: distribution(samples),
          cpuPercent: Math.round(((cpuAfter.cpuMs - cpuBefore.cpuMs) / elapsed) * 1000) / 10, samples,
        };
      };

      const personal = await phase('/api/ciphers', personalBody, socketsPerMember);
      const organization = await phase('/api/ciphers/create', orgBody, people.length * socketsPerMember);
      await sockets.ask({ close: true }, (r) => r.closed === true);
      const row = (p: Phase): Record<string, string | number> => ({
        writes: p.writes, failed: p.failed, deliveries: p.expected, missing: p.missing, 'write p50': p.writeMs.p50, 'write p99': p.writeMs.p99,
        'delivery p50': p.deliveryMs.p50, 'delivery p90': p.deliveryMs.p90, 'delivery p99': p.deliveryMs.p99, 'delivery max': p.deliveryMs.max, 'cpu %': p.cpuPercent,
      });
      const strip = ({ samples: _samples, ...rest }: Phase): Omit<Phase, 'samples'> => rest;
      return {
        results: { members: people.length, socketsPerMember, sockets: opened.opened, rate, seconds, push: relay ? relay.standIn.bodies('register').length : 0, relaySends: relay?.standIn.sends().length ?? 0, personal: strip(personal), organization: strip(organization) },
        table: { [`personal (${socketsPerMember} sockets per write)`]: row(personal), [`organization (${people.length * socketsPerMember} sockets per write)`]: row(organization) },
        plots: [{ file: 'org-fanout-latency.svg', spec: latencyCdfSpec(`Delivery latency from request start: personal vs organization of ${people.length}`, { personal: personal.samples, organization: organization.samples }) }],
      };
    } finally {
      await target.stop();
      await relay?.close();
    }
  },
};

