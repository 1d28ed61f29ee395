import { readRuleSources } from '../../../node-io/rule-files.js';
import { compileRules } from '../../../src/detection/index.js';
import { sysmonEvent } from '../../helpers/sigma-rules.js';

const connection = (data: Record<string, string>) => sysmonEvent({ Initiated: 'true', ...data }, { eventId: 3 });

describe('the project rules in rules/', () => {
  it('all compile', async () => {
    const result = compileRules(await readRuleSources(['rules']));
    expect(result.rejected).toEqual([]);
    expect(result.compiled).toBeGreaterThanOrEqual(3);
  });

  // [event data, expected rule titles]
  it.each([
    [
      {
        Image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
        DestinationHostname: 'raw.githubusercontent.com',
        DestinationHostnameSource: 'dns-client',
      },
      [
        'Connection To A Paste Or Raw-Content Site By Resolved Hostname',
        'Office Application Connecting To raw.githubusercontent.com',
      ],
    ],
    [
      // Not enriched by hookstream: the hostname Sysmon itself logged does not count.
      {
        Image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
        DestinationHostname: 'raw.githubusercontent.com',
      },
      [],
    ],
    [
      { Image: 'C:\\Tools\\x.exe', DestinationHostname: 'pastebin.com', DestinationHostnameSource: 'sysmon-22' },
      ['Connection To A Paste Or Raw-Content Site By Resolved Hostname'],
    ],
    [
      {
        Image: 'C:\\Program Files\\Google\\Chrome\\chrome.exe',
        DestinationHostname: 'pastebin.com',
        DestinationHostnameSource: 'sysmon-22',
      },
      [],
    ],
    [
      {
        Image: 'C:\\Windows\\System32\\wscript.exe',
        DestinationHostname: 'c2.duckdns.org',
        DestinationHostnameSource: 'sysmon-22',
      },
      ['Script Host Connecting To A Dynamic DNS Domain By Resolved Hostname'],
    ],
    [
      {
        Image: 'C:\\Windows\\System32\\wscript.exe',
        DestinationHostname: 'duckdns.org.example.com',
        DestinationHostnameSource: 'sysmon-22',
      },
      [],
    ],
  ])('%j -> %j', async (data, titles) => {
    const { ruleSet } = compileRules(await readRuleSources(['rules']));
    expect(
      ruleSet
        .match(connection(data))
        .map((m) => m.rule.title)
        .sort(),
    ).toEqual([...titles].sort());
  });
});

describe('readRuleSources', () => {
  it('names a missing path', async () => {
    await expect(readRuleSources(['rules', 'no/such/dir'])).rejects.toThrow('rule path not found: no/such/dir');
  });
});
