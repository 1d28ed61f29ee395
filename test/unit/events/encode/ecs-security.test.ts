import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';
import { encodeSecurityModule } from '../../../../src/events/encode/ecs-security.js';
import { readRecord } from '../../../../src/events/read-record.js';

const logon: CanonicalEvent = {
  host: 'DC01',
  channel: 'Security',
  provider: 'Microsoft-Windows-Security-Auditing',
  eventId: 4624,
  time: Date.UTC(2020, 9, 22, 5, 54, 21, 520),
  recordId: 77,
  format: 'winlogbeat',
  data: {
    SubjectUserName: 'DC01$',
    TargetUserName: 'alice',
    LogonType: '3',
    WorkstationName: 'WKS7',
    ProcessId: '0x2e4',
    ProcessName: 'C:\\Windows\\System32\\lsass.exe',
    IpAddress: '10.0.0.7',
    IpPort: '49712',
  },
};

function read(text: string): CanonicalEvent | undefined {
  const [outcome] = readRecord(new TextEncoder().encode(text));
  return outcome?.kind === 'event' ? outcome.event : undefined;
}

describe('encodeSecurityModule', () => {
  it.each(['winlogbeat', 'elastic-agent'] as const)(
    'moves the logon fields to ECS (%s), and they come back',
    (shipper) => {
      // Act
      const text = encodeSecurityModule(logon, { shipper });
      const document = JSON.parse(text);
      // Assess: what the module emits...
      expect(Object.keys(document.winlog.event_data).sort()).toEqual([
        'LogonType',
        'SubjectUserName',
        'TargetUserName',
      ]);
      expect(document.process).toMatchObject({ pid: 740, executable: 'C:\\Windows\\System32\\lsass.exe' });
      expect(document.source).toEqual({ ip: '10.0.0.7', port: 49712, domain: 'WKS7' });
      // ...and what the reader makes of it.
      expect(read(text)).toEqual({ ...logon, format: shipper });
    },
  );

  it('strips ::ffff: from a moved address, as the module does (lost for good)', () => {
    const text = encodeSecurityModule(
      { ...logon, data: { ...logon.data, IpAddress: '::ffff:10.0.0.7' } },
      { shipper: 'winlogbeat' },
    );
    expect(read(text)?.data.IpAddress).toBe('10.0.0.7');
  });

  it('splits PrivilegeList and AccessMask into lists, which the reader joins back', () => {
    const privileges = 'SeSecurityPrivilege\r\n\t\t\tSeDebugPrivilege';
    const special: CanonicalEvent = {
      ...logon,
      eventId: 4672,
      data: { SubjectUserName: 'alice', PrivilegeList: privileges },
    };
    const text = encodeSecurityModule(special, { shipper: 'winlogbeat' });
    expect(JSON.parse(text).winlog.event_data.PrivilegeList).toEqual(['SeSecurityPrivilege', 'SeDebugPrivilege']);
    expect(read(text)?.data).toEqual(special.data);
  });

  it('leaves events of other providers as the shipper writes them', () => {
    const sysmon: CanonicalEvent = {
      ...logon,
      channel: 'Microsoft-Windows-Sysmon/Operational',
      provider: 'Microsoft-Windows-Sysmon',
      eventId: 1,
    };
    expect(encodeSecurityModule(sysmon, { shipper: 'winlogbeat' })).not.toContain('"module"');
  });
});
