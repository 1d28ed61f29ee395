import { normaliseDocument } from '../../../../../src/events/formats/index.js';

const SECURITY = 'Microsoft-Windows-Security-Auditing';

/** A Security event as the Security module's pipeline leaves it, written out by hand. */
function moduleDocument(
  eventId: number,
  eventData: Record<string, unknown>,
  ecs: Record<string, unknown>,
  module = true,
): Record<string, unknown> {
  return {
    '@timestamp': '2020-10-22T05:54:21.520Z',
    event: { code: String(eventId), ...(module ? { module: 'security' } : {}) },
    winlog: {
      channel: 'Security',
      computer_name: 'DC01',
      provider_name: SECURITY,
      event_id: String(eventId),
      event_data: eventData,
    },
    ...ecs,
  };
}

function data(document: Record<string, unknown>): Record<string, string> | string {
  const result = normaliseDocument(document, 'json');
  return result.ok ? result.value.data : result.error;
}

const LOGON_KEPT = {
  SubjectUserSid: 'S-1-5-18',
  TargetUserName: 'alice',
  TargetDomainName: 'CORP',
  LogonType: '3',
  AuthenticationPackageName: 'NTLM',
};

describe('ECS Security module mapping', () => {
  it('rebuilds the fields a 4624 logon moved to ECS (pid in hex, as Windows writes it)', () => {
    // Prepare
    const document = moduleDocument(4624, LOGON_KEPT, {
      process: { pid: 740, executable: 'C:\\Windows\\System32\\lsass.exe', name: 'lsass.exe' },
      source: { ip: '10.0.0.7', port: 49712, domain: 'WKS7' },
      user: { name: 'alice', domain: 'CORP' },
    });
    // Act / Assess
    expect(data(document)).toEqual({
      ...LOGON_KEPT,
      ProcessId: '0x2e4',
      ProcessName: 'C:\\Windows\\System32\\lsass.exe',
      IpAddress: '10.0.0.7',
      IpPort: '49712',
      WorkstationName: 'WKS7',
    });
  });

  it('keeps what winlog.event_data still holds over ECS (a "-" address is never moved)', () => {
    const document = moduleDocument(
      4625,
      { TargetUserName: 'bob', IpAddress: '-', IpPort: '-', Status: '0xc000006d' },
      { source: { ip: '192.0.2.1', port: 1 } },
    );
    expect(data(document)).toEqual({ TargetUserName: 'bob', IpAddress: '-', IpPort: '-', Status: '0xc000006d' });
  });

  it('rebuilds a 4688 process creation: new process, its image and the parent image', () => {
    const kept = {
      SubjectUserName: 'alice',
      ProcessId: '0x1a4',
      CommandLine: 'cmd.exe /c whoami',
      TokenElevationType: '%%1936',
    };
    const document = moduleDocument(4688, kept, {
      process: {
        pid: 4660,
        executable: 'C:\\Windows\\System32\\cmd.exe',
        command_line: 'cmd.exe /c whoami',
        parent: { pid: 420, executable: 'C:\\Windows\\explorer.exe' },
      },
    });
    expect(data(document)).toEqual({
      ...kept,
      NewProcessId: '0x1234',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      ParentProcessName: 'C:\\Windows\\explorer.exe',
    });
  });

  it('joins the lists the module split with the separators Windows renders', () => {
    const document = moduleDocument(4672, { PrivilegeList: ['SeSecurityPrivilege', 'SeDebugPrivilege'] }, {});
    expect(data(document)).toEqual({ PrivilegeList: 'SeSecurityPrivilege\r\n\t\t\tSeDebugPrivilege' });
    const access = moduleDocument(4663, { AccessMask: ['0x2'], AccessMaskDescription: ['Write'] }, {});
    expect(data(access)).toEqual({ AccessMask: '0x2' });
    // Winlogbeat 7's script module splits on %% and drops it.
    const codes = moduleDocument(4673, { AccessMask: ['1537', '1538'] }, {});
    expect(data(codes)).toEqual({ AccessMask: '%%1537\r\n\t\t\t\t%%1538' });
  });

  it("drops the module's own fields only when the module ran and the template has no such field", () => {
    const added = { TargetUserName: 'x', Status: '0x0', StatusDescription: 'KDC_ERR_NONE', SubCategory: 'Logon' };
    expect(data(moduleDocument(4769, added, {}))).toEqual({ TargetUserName: 'x', Status: '0x0' });
    expect(data(moduleDocument(4769, added, {}, false))).toEqual(added);
  });

  it('adds no field the event template does not name (4634 has no ProcessName)', () => {
    const document = moduleDocument(
      4634,
      { TargetUserName: 'alice', LogonType: '3' },
      {
        process: { executable: 'C:\\x.exe', pid: 1 },
      },
    );
    expect(data(document)).toEqual({ TargetUserName: 'alice', LogonType: '3' });
  });

  it('reads Elastic Agent documents of the system.security data stream the same way', () => {
    const document = {
      ...moduleDocument(4624, LOGON_KEPT, { source: { ip: '10.0.0.7' } }, false),
      data_stream: { type: 'logs', dataset: 'system.security', namespace: 'default' },
    };
    const result = normaliseDocument(document, 'json');
    expect(result.ok && result.value.format).toBe('elastic-agent');
    expect(result.ok && result.value.data.IpAddress).toBe('10.0.0.7');
  });
});
