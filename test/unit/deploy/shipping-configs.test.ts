/**
 * The shipping configurations in deploy/: Kinesis Agent for Windows and Fluent Bit collect the same channels with
 * the same filters (every event, except DNS-Client: 3008 only), and the Sysmon configuration logs events 3 and 22.
 * docs/deploy.md lists the same channels.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Channel -> XPath filter ('*' for every event). */
const EXPECTED: Record<string, string> = {
  Security: '*',
  System: '*',
  'Microsoft-Windows-PowerShell/Operational': '*',
  'Windows PowerShell': '*',
  'Microsoft-Windows-Windows Defender/Operational': '*',
  'Microsoft-Windows-TaskScheduler/Operational': '*',
  'Microsoft-Windows-WMI-Activity/Operational': '*',
  'Microsoft-Windows-Sysmon/Operational': '*',
  'Microsoft-Windows-DNS-Client/Operational': '*[System[(EventID=3008)]]',
};

interface KinesisAgentSource {
  Id: string;
  SourceType: string;
  LogName: string;
  Query?: string;
  IncludeEventData?: boolean;
}

function kinesisAgentChannels(): { channels: Record<string, string>; piped: string[]; sources: KinesisAgentSource[] } {
  const settings = JSON.parse(read('deploy/kinesis-agent/appsettings.json')) as {
    Sources: KinesisAgentSource[];
    Pipes: { SourceRef: string; SinkRef: string }[];
  };
  const channels: Record<string, string> = {};
  for (const source of settings.Sources) channels[source.LogName] = source.Query ?? '*';
  return { channels, piped: settings.Pipes.map((pipe) => pipe.SourceRef).sort(), sources: settings.Sources };
}

/** The [INPUT] sections of a classic Fluent Bit configuration, keys lower-cased. */
function fluentBitInputs(): Record<string, string>[] {
  const inputs: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const raw of read('deploy/fluent-bit/fluent-bit.conf').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      current = line.toUpperCase() === '[INPUT]' ? {} : undefined;
      if (current) inputs.push(current);
      continue;
    }
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (current && match) current[(match[1] as string).toLowerCase()] = match[2] as string;
  }
  return inputs;
}

function fluentBitChannels(): Record<string, string> {
  const channels: Record<string, string> = {};
  for (const input of fluentBitInputs()) {
    for (const channel of (input.channels ?? '').split(',')) channels[channel.trim()] = input.event_query ?? '*';
  }
  return channels;
}

describe('deploy/ shipping configurations', () => {
  it('Kinesis Agent collects every expected channel with its filter, each source piped to the stream', () => {
    const { channels, piped, sources } = kinesisAgentChannels();
    expect(channels).toEqual(EXPECTED);
    expect(piped).toEqual(sources.map((source) => source.Id).sort());
    expect(sources.every((source) => source.SourceType === 'WindowsEventLogSource' && source.IncludeEventData)).toBe(
      true,
    );
  });

  it('Fluent Bit collects the same channels with the same filters, EventData as a map', () => {
    expect(fluentBitChannels()).toEqual(EXPECTED);
    for (const input of fluentBitInputs()) {
      expect(input).toMatchObject({ name: 'winevtlog', event_data_as_map: 'True', render_event_as_xml: 'False' });
      expect(input.db).toBeDefined();
    }
    const databases = fluentBitInputs().map((input) => input.db);
    expect(new Set(databases).size).toBe(databases.length);
  });

  it('docs/deploy.md names every channel collected', () => {
    const guide = read('docs/deploy.md');
    for (const channel of Object.keys(EXPECTED)) expect([channel, guide.includes(channel)]).toEqual([channel, true]);
  });

  it('the Sysmon configuration logs every network connection (3) and DNS query (22)', () => {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
    });
    const document = parser.parse(read('deploy/sysmon/sysmonconfig.xml')) as {
      Sysmon: { EventFiltering: { RuleGroup: Record<string, unknown>[] }[] }[];
    };
    const groups = document.Sysmon[0]?.EventFiltering[0]?.RuleGroup ?? [];
    const rulesOf = (type: string) =>
      groups.flatMap((group) => (group[type] as Record<string, unknown>[] | undefined) ?? []);
    for (const type of ['NetworkConnect', 'DnsQuery']) {
      const rules = rulesOf(type);
      // One rule, exclude with no conditions: nothing is excluded, every event is logged.
      expect([type, rules]).toEqual([type, [{ '@onmatch': 'exclude' }]]);
    }
  });
});
