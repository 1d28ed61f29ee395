/** Test helper: the DNS answer the state-store tests start from (a Sysmon 22 answer at T0), and their clock. */
import type { DnsAnswer } from '../../src/dns/resolution.js';

export const T0 = Date.parse('2026-11-28T06:00:00Z');
export const HOUR = 3_600_000;

/** ws-01 resolving example.com to 203.0.113.10 at T0, with `overrides` applied. */
export function answer(overrides: Partial<DnsAnswer> = {}): DnsAnswer {
  return {
    host: 'ws-01.corp.example',
    ip: '203.0.113.10',
    name: 'example.com',
    cnames: [],
    time: T0,
    processGuid: '{aaaaaaaa-0000-0000-0000-000000000001}',
    processId: 4242,
    source: 'sysmon-22',
    ...overrides,
  };
}
