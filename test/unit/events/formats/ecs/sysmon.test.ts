import { normaliseDocument } from '../../../../../src/events/formats/index.js';
import { expectedSysmon3, sysmon3Data } from '../../factories.js';

/** The Sysmon 3 connection as the Sysmon module's pipeline leaves it (message dropped), written out by hand. */
function moduleSysmon3(top: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': '2020-10-22T05:54:21.520Z',
    event: { code: '3', module: 'sysmon' },
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      computer_name: 'WORKSTATION5',
      provider_name: 'Microsoft-Windows-Sysmon',
      event_id: '3',
    },
    process: {
      entity_id: '{39e4a257-1e6c-5f91-c712-000000000700}',
      pid: 6708,
      executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      name: 'powershell.exe',
    },
    user: { domain: 'WORKSTATION5', name: 'wardog' },
    network: { transport: 'tcp', direction: 'egress', type: 'ipv4', protocol: '-' },
    source: { ip: '192.168.2.5', domain: '-', port: 52094 },
    destination: { ip: '151.101.248.133', domain: '-', port: 443 },
    ...top,
  };
}

function data(document: Record<string, unknown>): Record<string, string> | string {
  const result = normaliseDocument(document, 'json');
  return result.ok ? result.value.data : result.error;
}

describe('ECS (Sysmon module) back to Sysmon EventData', () => {
  it('rebuilds a connection from ECS alone; what the module dropped for good stays absent', () => {
    const { RuleName, SourcePortName, DestinationPortName, ...rest } = sysmon3Data();
    expect(data(moduleSysmon3())).toEqual(rest);
  });

  it('takes the rest from the rendered message, and the time from @timestamp', () => {
    const message = ['Network connection detected:', ...Object.entries(sysmon3Data()).map(([k, v]) => `${k}: ${v}`)];
    const result = normaliseDocument(moduleSysmon3({ message: message.join('\r\n') }), 'json');
    expect(result).toEqual({ ok: true, value: { ...expectedSysmon3(), format: 'winlogbeat' } });
  });

  it('reads flattened dotted keys the same as nested ones', () => {
    const { process, ...document } = moduleSysmon3();
    const flat = { ...document, 'process.executable': 'C:\\x.exe', 'process.pid': 1, 'process.entity_id': '{g}' };
    expect(data(flat)).toMatchObject({ Image: 'C:\\x.exe', ProcessId: '1', ProcessGuid: '{g}' });
  });

  it('lets winlog.event_data win over the ECS field', () => {
    const document = moduleSysmon3();
    (document.winlog as Record<string, unknown>).event_data = { Image: 'C:\\kept.exe' };
    expect(data(document)).toMatchObject({ Image: 'C:\\kept.exe', ProcessId: '6708' });
  });

  it('rebuilds a DNS query: QueryName, QueryStatus from its name, QueryResults as Sysmon writes them', () => {
    const document = {
      '@timestamp': '2020-10-22T05:54:21.400Z',
      winlog: {
        channel: 'Microsoft-Windows-Sysmon/Operational',
        computer_name: 'WORKSTATION5',
        provider_name: 'Microsoft-Windows-Sysmon',
        event_id: 22,
      },
      dns: {
        question: { name: 'raw.githubusercontent.com', registered_domain: 'githubusercontent.com' },
        answers: [
          { type: 'CNAME', data: 'github.map.fastly.net' },
          { type: 'A', data: '151.101.248.133' },
        ],
        resolved_ip: ['151.101.248.133'],
      },
      sysmon: { dns: { status: 'SUCCESS' } },
      network: { protocol: 'dns' },
    };
    expect(data(document)).toMatchObject({
      UtcTime: '2020-10-22 05:54:21.400',
      QueryName: 'raw.githubusercontent.com',
      QueryStatus: '0',
      QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
    });
  });

  it('rebuilds Hashes (process.hash and process.pe.imphash) in Sysmon order and case, and the parent', () => {
    const document = {
      '@timestamp': '2021-01-02T03:04:05.006Z',
      winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', computer_name: 'h', event_id: '1' },
      process: {
        hash: { sha256: 'abc2', md5: 'abc1', sha1: 'abc0' },
        pe: { imphash: 'def0', original_file_name: 'Cmd.Exe' },
        command_line: 'cmd /c whoami',
        parent: { executable: 'C:\\Windows\\explorer.exe', pid: 10, command_line: 'explorer' },
      },
      user: { domain: 'NT AUTHORITY', name: 'SYSTEM' },
    };
    expect(data(document)).toMatchObject({
      Hashes: 'SHA1=ABC0,MD5=ABC1,SHA256=ABC2,IMPHASH=DEF0',
      OriginalFileName: 'Cmd.Exe',
      CommandLine: 'cmd /c whoami',
      ParentImage: 'C:\\Windows\\explorer.exe',
      ParentProcessId: '10',
      ParentCommandLine: 'explorer',
      User: 'NT AUTHORITY\\SYSTEM',
      UtcTime: '2021-01-02 03:04:05.006',
    });
  });

  it('rebuilds TargetObject with the hive as Sysmon spells it, and a DWORD Details', () => {
    const document = {
      '@timestamp': '2021-01-02T03:04:05.006Z',
      winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', computer_name: 'h', event_id: 13 },
      registry: {
        path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\DisableAntiSpyware',
        data: { strings: ['0x00000001'], type: 'SZ_DWORD' },
      },
    };
    expect(data(document)).toMatchObject({
      TargetObject: 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\DisableAntiSpyware',
      Details: 'DWORD (0x00000001)',
    });
  });

  it('maps file.path to the field the event names (ImageLoaded for 7, TargetFilename for 11)', () => {
    const base = {
      '@timestamp': '2021-01-02T03:04:05.006Z',
      file: { path: 'C:\\a.dll', pe: { original_file_name: 'a.dll' } },
    };
    const event = (id: number) => ({
      ...base,
      winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', computer_name: 'h', event_id: id },
    });
    expect(data(event(7))).toMatchObject({ ImageLoaded: 'C:\\a.dll', OriginalFileName: 'a.dll' });
    expect(data(event(11))).toMatchObject({ TargetFilename: 'C:\\a.dll' });
    expect(data(event(11))).not.toHaveProperty('ImageLoaded');
  });

  it('leaves non-Sysmon events alone', () => {
    const document = {
      '@timestamp': '2021-01-02T03:04:05.006Z',
      winlog: { channel: 'Security', computer_name: 'h', event_id: 4688, event_data: { NewProcessName: 'x' } },
      process: { executable: 'C:\\y.exe' },
    };
    expect(data(document)).toEqual({ NewProcessName: 'x' });
  });
});
