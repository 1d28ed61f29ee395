// Writes the events/ fixtures: the same Sysmon 3 connection (powershell.exe -> 151.101.248.133 on WORKSTATION5,
// from OTRF psh_cmstp_execution_bypassuac) in every shipper format and wrapping. The NXLog line is the
// recorded original (events/nxlog/sysmon3-powershell.json); the rest are derived from it here.
// Run: node scripts/make-event-fixtures.mjs   (needs the zstd CLI for events/zstd)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import agg from 'aws-kinesis-agg';

const out = (p, data) => {
  mkdirSync(`events/${p.split('/')[0]}`, { recursive: true });
  writeFileSync(`events/${p}`, data);
};

const nx = JSON.parse(readFileSync('events/nxlog/sysmon3-powershell.json', 'utf8'));
const FIELDS = [
  'RuleName',
  'UtcTime',
  'ProcessGuid',
  'ProcessId',
  'Image',
  'User',
  'Protocol',
  'Initiated',
  'SourceIsIpv6',
  'SourceIp',
  'SourceHostname',
  'SourcePort',
  'SourcePortName',
  'DestinationIsIpv6',
  'DestinationIp',
  'DestinationHostname',
  'DestinationPort',
  'DestinationPortName',
];
const data = Object.fromEntries(FIELDS.map((f) => [f, nx[f]]));
const values = FIELDS.map((f) => nx[f]);
const host = 'WORKSTATION5';
const channel = 'Microsoft-Windows-Sysmon/Operational';
const provider = 'Microsoft-Windows-Sysmon';
const guid = '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}';
const systemTime = '2020-10-22T05:54:21.5304000Z';
const message = nx.Message;

const evtxJson = {
  Event: {
    EventData: data,
    System: {
      Provider: { Name: provider, Guid: guid },
      EventID: 3,
      Channel: channel,
      Computer: host,
      TimeCreated: { SystemTime: systemTime },
    },
  },
};
out('evtx-json/sysmon3-powershell.json', `${JSON.stringify(evtxJson)}\n`);

// evtx_dump style: #attributes, numbers where the template type is numeric, pretty-printed.
const numeric = new Set(['ProcessId', 'SourcePort', 'DestinationPort']);
const dumpData = Object.fromEntries(
  FIELDS.map((f) => [
    f,
    numeric.has(f) ? Number(nx[f]) : f === 'Initiated' || f.endsWith('Ipv6') ? nx[f] === 'true' : nx[f],
  ]),
);
const evtxDump = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: provider, Guid: guid.slice(1, -1) } },
      EventID: 3,
      Version: 5,
      Level: 4,
      Task: 3,
      Opcode: 0,
      Keywords: '0x8000000000000000',
      TimeCreated: { '#attributes': { SystemTime: systemTime } },
      Correlation: null,
      Channel: channel,
      Computer: host,
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: dumpData,
  },
};
out('evtx-json/sysmon3-evtx-dump.json', `${JSON.stringify(evtxDump, null, 2)}\n`);
const pairs = {
  Event: { System: evtxJson.Event.System, EventData: { Data: FIELDS.map((f) => ({ Name: f, Value: nx[f] })) } },
};
out('evtx-json/sysmon3-data-pairs.json', `${JSON.stringify(pairs)}\n`);

const winlogbeat = {
  '@timestamp': '2020-10-22T05:54:21.530Z',
  event: { code: '3', kind: 'event', provider, action: 'Network connection detected (rule: NetworkConnect)' },
  host: { name: 'workstation5' },
  log: { level: 'information' },
  message,
  winlog: {
    api: 'wineventlog',
    channel,
    computer_name: host,
    event_id: '3',
    provider_name: provider,
    provider_guid: guid,
    opcode: 'Info',
    task: 'Network connection detected (rule: NetworkConnect)',
    version: 5,
    user: { identifier: 'S-1-5-18', name: 'SYSTEM', domain: 'NT AUTHORITY', type: 'User' },
    event_data: data,
  },
};
out('winlogbeat/sysmon3-powershell.json', `${JSON.stringify(winlogbeat)}\n`);
const winlogbeat6 = {
  '@timestamp': '2020-10-22T05:54:21.530Z',
  beat: { name: host, version: '6.5.4' },
  computer_name: host,
  event_id: 3,
  log_name: channel,
  source_name: provider,
  level: 'Information',
  type: 'wineventlog',
  message,
  event_data: data,
};
out('winlogbeat/sysmon3-winlogbeat6.json', `${JSON.stringify(winlogbeat6)}\n`);

const kinesisAgent = {
  EventId: 3,
  Description: message,
  Level: 'Information',
  Opcode: 'Info',
  ProviderName: provider,
  LogName: channel,
  MachineName: host,
  TimeCreated: systemTime,
  EventData: values,
};
out('kinesis-agent/sysmon3-powershell.json', `${JSON.stringify(kinesisAgent)}\n`);

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${provider}' Guid='${guid}'/><EventID>3</EventID><Version>5</Version><Level>4</Level><Task>3</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='${systemTime}'/><Correlation/><Channel>${channel}</Channel><Computer>${host}</Computer><Security UserID='S-1-5-18'/></System><EventData>${FIELDS.map((f) => `<Data Name='${f}'>${esc(nx[f])}</Data>`).join('')}</EventData></Event>`;
out('xml/sysmon3-powershell.xml', `${xml}\n`);
out('xml/sysmon3-json-string.json', `${JSON.stringify(xml)}\n`);

const fluentBase = {
  ProviderName: provider,
  ProviderGuid: guid,
  Qualifiers: '',
  EventID: 3,
  Version: 5,
  Level: 4,
  Task: 3,
  Opcode: 0,
  Keywords: '0x8000000000000000',
  TimeCreated: '2020-10-22 05:54:21 +0000',
  ActivityID: '',
  RelatedActivityID: '',
  Channel: channel,
  Computer: host,
  UserID: 'S-1-5-18',
  Message: message,
};
out('fluent-bit/sysmon3-string-inserts.json', `${JSON.stringify({ ...fluentBase, StringInserts: values })}\n`);
out('fluent-bit/sysmon3-event-data-map.json', `${JSON.stringify({ ...fluentBase, EventData: data })}\n`);

// CloudWatch agent (event_format: xml) -> subscription filter -> gzip envelope.
const envelope = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/windows/sysmon',
  logStream: host,
  subscriptionFilters: ['hookstream'],
  logEvents: [
    { id: '35788093946342447302405393391441617410347385098018832384', timestamp: 1603346061530, message: xml },
  ],
};
out('cloudwatch-logs/sysmon3-envelope.json.gz', gzipSync(JSON.stringify(envelope)));

// Newline-delimited batch: the same event as three shippers would send it, one document per line.
out('ndjson/sysmon3-three-shippers.ndjson', `${[evtxJson, winlogbeat, nx].map((d) => JSON.stringify(d)).join('\n')}\n`);

// Splunk HEC envelopes: the NXLog document as the event object, and two envelopes back to back (a HEC batch)
// whose events are the rendered XML (sourcetype XmlWinEventLog) and the Winlogbeat document as a JSON string.
const hec = { time: 1603346061.53, host, source: 'WinEventLog:Microsoft-Windows-Sysmon/Operational' };
out('splunk-hec/sysmon3-nxlog-event.json', `${JSON.stringify({ ...hec, sourcetype: '_json', event: nx })}\n`);
out(
  'splunk-hec/sysmon3-batch.json',
  `${JSON.stringify({ ...hec, sourcetype: 'XmlWinEventLog', event: xml })}${JSON.stringify({ ...hec, event: JSON.stringify(winlogbeat) })}\n`,
);

// zstd of the Winlogbeat document, made with the zstd CLI from a file, so the frame declares its content size
// as one-shot producers do (from a pipe it would not, and fzstd then allocates the whole window per record).
mkdirSync('events/zstd', { recursive: true });
writeFileSync('events/zstd/.tmp.json', JSON.stringify(winlogbeat));
execFileSync('zstd', [
  '-q',
  '-f',
  '-19',
  '--rm',
  'events/zstd/.tmp.json',
  '-o',
  'events/zstd/sysmon3-winlogbeat.json.zst',
]);

// KPL aggregate of two user records: the evtx-json document and a gzip of the Fluent Bit one.
const records = [
  { partitionKey: host, data: Buffer.from(JSON.stringify(evtxJson)) },
  { partitionKey: host, data: gzipSync(JSON.stringify({ ...fluentBase, StringInserts: values })) },
];
agg.aggregate(
  records,
  (encoded, done) => {
    out('kpl/sysmon3-aggregated.kpl', encoded.data);
    done();
  },
  () => console.log('fixtures written'),
  (error) => {
    throw error;
  },
);
