import { nxlog } from '../../../../src/events/formats/nxlog.js';
import { expectedSysmon3, nxlogDocument, sysmon3Data } from '../factories.js';

describe('nxlog', () => {
  it('keeps only the EventData fields, and takes UtcTime over the hours-off TimeCreated/@timestamp', () => {
    const document = nxlogDocument();
    expect(nxlog.recognises(document, 'json')).toBe(true);
    expect(nxlog.normalise(document)).toEqual({ ok: true, value: { ...expectedSysmon3(), format: 'nxlog' } });
  });

  it('drops the older (HELK) metadata and reads RecordNumber and ExecutionProcessID', () => {
    const document = nxlogDocument({
      EventTime: '2020-10-22 01:54:21',
      EventReceivedTime: '2020-10-22 01:54:23',
      SeverityValue: 2,
      Severity: 'INFO',
      EventType: 'INFO',
      Version: 5,
      OpcodeValue: 0,
      Opcode: 'Info',
      RecordNumber: 202752,
      ThreadID: 4584,
      Domain: 'NT AUTHORITY',
      AccountName: 'SYSTEM',
      UserID: 'S-1-5-18',
      AccountType: 'User',
      Category: 'Network connection detected (rule: NetworkConnect)',
      SourceModuleName: 'eventlog',
      SourceModuleType: 'im_msvistalog',
      '@version': '1',
      host: 'wec.example',
      port: 49730,
      tags: ['mordorDataset'],
      type: 'nxlog-mordor',
      ExecutionProcessID: 3144,
      ProcessID: 3144,
    });
    const result = nxlog.normalise(document);
    expect(result.ok && [result.value.recordId, result.value.processId]).toEqual([202752, 3144]);
    // With ExecutionProcessID present, a ProcessID key is an EventData field.
    expect(result.ok && result.value.data).toEqual({ ...sysmon3Data(), ProcessID: '3144' });
  });

  it('treats ProcessID as the System process when there is no ExecutionProcessID', () => {
    const result = nxlog.normalise(nxlogDocument({ ProcessID: 2400 }));
    expect(result.ok && result.value.processId).toBe(2400);
    expect(result.ok && result.value.data.ProcessID).toBeUndefined();
  });

  it('keeps a non-integer ProcessID as an EventData field (it cannot be the System process)', () => {
    const result = nxlog.normalise(nxlogDocument({ ProcessID: '0x1f' }));
    expect(result.ok && [result.value.processId, result.value.data.ProcessID]).toEqual([undefined, '0x1f']);
  });

  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    [
      'keeps a Sysmon EventType (SetValue) that the schema names',
      { EventID: 13, EventType: 'SetValue', TargetObject: 'HKLM\\x', Details: 'DWORD (0x00000001)' },
      { EventType: 'SetValue' },
    ],
    ['drops NXLog’s EventType even for a schema that names it', { EventID: 13, EventType: 'INFO' }, {}],
    [
      'keeps Sysmon 4 Version (a string)',
      { EventID: 4, Version: '10.2', State: 'Started' },
      { Version: '10.2', State: 'Started' },
    ],
  ])('%s', (_name, overrides, expectedPart) => {
    const result = nxlog.normalise({ ...nxlogDocument(), ...overrides });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.data).toMatchObject(expectedPart);
    if (result.ok && Object.keys(expectedPart).length === 0) expect(result.value.data.EventType).toBeUndefined();
  });

  it('recovers schema fields NXLog merged away (case-insensitive ProcessId/ProcessID) from Message', () => {
    const { ProcessId: _dropped, RuleName: _rule, ...rest } = sysmon3Data();
    const document = {
      ...nxlogDocument(),
      ProcessId: undefined,
      RuleName: undefined,
      Message:
        'Network connection detected:\r\nRuleName: Rule 1\r\nUtcTime: 2020-10-22 05:54:21.520\r\nProcessId: 6708\r\nImage: x',
    };
    delete document.ProcessId;
    delete document.RuleName;
    const result = nxlog.normalise(document);
    expect(result.ok && result.value.data).toEqual({ ...rest, ProcessId: '6708', RuleName: 'Rule 1' });
  });

  it('folds a lower-case channel to its canonical name and uses TimeCreated for non-Sysmon events', () => {
    const result = nxlog.normalise({
      Hostname: 'IT001.shire.com',
      Channel: 'security',
      SourceName: 'Microsoft-Windows-Security-Auditing',
      EventID: 5156,
      TimeCreated: '2019-12-05T01:49:49.300Z',
      EventTime: '2019-12-04 20:49:48',
      DestPort: '389',
    });
    expect(result.ok && [result.value.channel, result.value.time, result.value.data]).toEqual([
      'Security',
      Date.UTC(2019, 11, 5, 1, 49, 49, 300),
      { DestPort: '389' },
    ]);
  });

  it('falls back to @timestamp, then EventTime (zone-less: read as UTC)', () => {
    const base = { Hostname: 'h', Channel: 'System', SourceName: 's', EventID: 1 };
    const a = nxlog.normalise({ ...base, '@timestamp': '2019-12-05T01:49:49.300Z', EventTime: '2019-12-04 20:49:48' });
    const b = nxlog.normalise({ ...base, EventTime: '2019-12-04 20:49:48' });
    expect(a.ok && a.value.time).toBe(Date.UTC(2019, 11, 5, 1, 49, 49, 300));
    expect(b.ok && b.value.time).toBe(Date.UTC(2019, 11, 4, 20, 49, 48));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['EventID "abc"', { EventID: 'abc' }, 'EventID is not an integer'],
    ['Hostname empty', { Hostname: '' }, 'host missing'],
    [
      'a field nested too deeply',
      { X: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) },
      'document nested too deeply',
    ],
  ])('rejects %s', (_name, overrides, reason) => {
    expect(nxlog.normalise(nxlogDocument(overrides))).toEqual({ ok: false, error: reason });
  });

  it.each([{ EventID: 3 }, { Hostname: 'h' }])('does not recognise %j', (document) => {
    expect(nxlog.recognises(document, 'json')).toBe(false);
  });
});
