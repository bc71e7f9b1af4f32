import { HubAdmission } from './hub-admission';

describe('HubAdmission', () => {
  it('caps sockets per address (IPv6 by /64) and in all, counting admitted upgrades at once', () => {
    const admission = new HubAdmission({ maxConnections: 5, maxConnectionsPerIp: 2 });
    const a1 = admission.admit('10.0.0.1');
    const a2 = admission.admit('::ffff:10.0.0.1');
    expect([a1.ok, a2.ok]).toEqual([true, true]);
    expect(admission.admit('10.0.0.1')).toMatchObject({ ok: false, status: 429, reason: 'ip_connection_cap' });
    expect(admission.admit('2001:db8:1:2::1').ok).toBe(true);
    expect(admission.admit('2001:db8:1:2:ffff::9').ok).toBe(true);
    expect(admission.admit('2001:db8:1:2:aaaa::1')).toMatchObject({ ok: false, status: 429 });
    expect(admission.admit('10.0.0.2').ok).toBe(true);
    expect(admission.admit('10.0.0.3')).toMatchObject({ ok: false, status: 503, reason: 'global_connection_cap' });
    expect(admission.stats).toEqual({ open: 5, addresses: 3 });
  });

  it('a released ticket frees its place once, however often it is released', () => {
    const admission = new HubAdmission({ maxConnections: 1, maxConnectionsPerIp: 1 });
    const first = admission.admit('10.0.0.1');
    if (!first.ok) throw new Error('expected admission');
    first.ticket.release();
    first.ticket.release();
    expect(admission.stats).toEqual({ open: 0, addresses: 0 });
    expect(admission.admit('10.0.0.1').ok).toBe(true);
    expect(admission.admit('10.0.0.9')).toMatchObject({ ok: false, status: 503 });
  });
});
