import { encodeSysmonModule } from '../../../../src/events/encode/ecs-sysmon.js';
import { readRecord } from '../../../../src/events/read-record.js';
import { expectedSysmon3 } from '../factories.js';

const event = { ...expectedSysmon3(), format: 'nxlog' as const };

describe('encodeSysmonModule', () => {
  it('renames and removes EventData as the Sysmon module does', () => {
    const document = JSON.parse(encodeSysmonModule(event, { shipper: 'winlogbeat', message: false }));
    expect(document.winlog.event_data).toBeUndefined();
    expect(document.process).toEqual({
      entity_id: '{39e4a257-1e6c-5f91-c712-000000000700}',
      pid: 6708,
      executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    });
    expect(document.destination).toEqual({ ip: '151.101.248.133', domain: '-', port: 443 });
    expect(document.network).toEqual({ transport: 'tcp', protocol: '-', direction: 'egress', type: 'ipv4' });
    expect(document.user).toEqual({ domain: 'WORKSTATION5', name: 'wardog' });
  });

  it('keeps the rendered message when asked, and reads back to the same event', () => {
    const text = encodeSysmonModule(event, { shipper: 'elastic-agent', message: true });
    expect(JSON.parse(text).message).toMatch(/^Sysmon event 3:\r\nRuleName: -\r\n/);
    const [outcome] = readRecord(new TextEncoder().encode(text));
    expect(outcome?.kind === 'event' && outcome.event).toEqual({ ...expectedSysmon3(), format: 'elastic-agent' });
  });

  it('encodes a non-Sysmon event unchanged', () => {
    const security = { ...event, channel: 'Security', provider: 'Microsoft-Windows-Security-Auditing', eventId: 4688 };
    const document = JSON.parse(encodeSysmonModule(security, { shipper: 'winlogbeat', message: false }));
    expect(document.winlog.event_data).toEqual(event.data);
  });
});
