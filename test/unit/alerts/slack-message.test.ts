import {
  buildSlackMessage,
  escapeMrkdwn,
  parseAlertSummary,
  type SlackBlock,
} from '../../../src/alerts/slack-message.js';

/** An alert record as src/pipeline/alert-record.ts writes it. */
function alertRecord(
  overrides: Record<string, unknown> = {},
  event: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    time: '2026-11-28T06:59:01.123Z',
    host: 'WORKSTATION5',
    rule_id: 'rule-1',
    rule_title: 'Connection to a rare TLD',
    level: 'high',
    tags: ['attack.command_and_control', 'attack.t1071'],
    rule_file: 'rules/network/rare-tld.yml',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    event_id: 3,
    dedupe_key: 'rule-1|workstation5|evil.top',
    event: {
      host: 'WORKSTATION5',
      event_id: 3,
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ProcessId: '4242',
      User: 'CORP\\alice',
      CommandLine: 'powershell -enc AAAA',
      Protocol: 'tcp',
      DestinationIp: '203.0.113.7',
      DestinationPort: '443',
      DestinationHostname: 'evil.top',
      DestinationHostnameOriginal: '-',
      DestinationHostnameSource: 'dns-process',
      DestinationHostnameCnames: 'cdn.evil.top',
      ...event,
    },
    ...overrides,
  };
}

function message(record: Record<string, unknown>): string {
  return `Connection to a rare TLD (high)\n\nHost:     WORKSTATION5\n\n${JSON.stringify(record)}`;
}

function allText(blocks: SlackBlock[]): string {
  return JSON.stringify(blocks);
}

describe('parseAlertSummary', () => {
  it('reads the alert JSON on the last line', () => {
    const summary = parseAlertSummary(message(alertRecord()));
    expect(summary).toMatchObject({ ruleId: 'rule-1', level: 'high', host: 'WORKSTATION5', eventId: '3' });
    expect(summary?.event.DestinationHostname).toBe('evil.top');
    expect(summary?.event.event_id).toBe('3');
  });

  it.each([
    ['plain text', 'just some text'],
    ['broken JSON', 'body\n{"rule_id": '],
    ['JSON that is not an alert', 'body\n{"hello": "world"}'],
    ['a JSON array', 'body\n["rule_id"]'],
    ['empty', ''],
  ])('returns undefined for %s', (_name, text) => {
    expect(parseAlertSummary(text)).toBeUndefined();
  });

  it('tolerates trailing newlines and drops non-string tags', () => {
    const summary = parseAlertSummary(`${message(alertRecord({ tags: ['a', 3, null] }))}\n\n`);
    expect(summary?.tags).toEqual(['a']);
  });
});

describe('buildSlackMessage', () => {
  it('builds header, fields, the enriched connection and context', () => {
    // Prepare
    const notification = {
      subject: '[high] Connection to a rare TLD by powershell.exe on WORKSTATION5',
      message: message(alertRecord()),
      attributes: { level: 'high', rule_id: 'rule-1', host: 'WORKSTATION5' },
    };
    // Act
    const slack = buildSlackMessage(notification);
    // Assess
    expect(slack.text).toBe(':large_orange_circle: [high] Connection to a rare TLD by powershell.exe on WORKSTATION5');
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: notification.subject } });
    const fields = (slack.blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toEqual([
      '*Level*\n:large_orange_circle: high',
      '*Host*\nWORKSTATION5',
      '*Time (UTC)*\n2026-11-28T06:59:01.123Z',
      '*Rule*\nConnection to a rare TLD\n`rule-1`',
      '*Event*\nMicrosoft-Windows-Sysmon/Operational 3',
    ]);
    const body = (slack.blocks[3] as { text: { text: string } }).text.text;
    expect(body).toContain('*Connects to:* `evil.top` (203.0.113.7:443) tcp');
    expect(body).toContain('*Name from:* dns-process; Sysmon said (none)');
    expect(body).toContain('*CNAMEs:* cdn.evil.top');
    expect(body).toContain('*Command line:* `powershell -enc AAAA`');
    expect(slack.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Rule file: rules/network/rare-tld.yml | Tags: attack.command_and_control, attack.t1071 | Dedupe key: rule-1|workstation5|evil.top',
        },
      ],
    });
  });

  it('says unresolved when enrichment found no name', () => {
    const record = alertRecord(
      {},
      { DestinationHostname: '-', DestinationHostnameSource: undefined, DestinationHostnameCnames: undefined },
    );
    const body = allText(buildSlackMessage({ subject: 's', message: message(record) }).blocks);
    expect(body).toContain('*Name:* unresolved');
    expect(body).toContain('(203.0.113.7:443)');
  });

  it('shows DNS queries', () => {
    const record = alertRecord(
      { event_id: 22 },
      { DestinationIp: undefined, QueryName: 'evil.top', QueryResults: '203.0.113.7;' },
    );
    expect(allText(buildSlackMessage({ message: message(record) }).blocks)).toContain(
      '*DNS query:* `evil.top` → `203.0.113.7;`',
    );
  });

  it('escapes mrkdwn control characters and cannot close a code span early', () => {
    const record = alertRecord({ host: '<!channel> & co' }, { CommandLine: 'cmd /c `whoami` > out.txt' });
    const text = allText(buildSlackMessage({ message: message(record) }).blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; co');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain("`cmd /c 'whoami' &gt; out.txt`");
  });

  it('keeps within Block Kit limits', () => {
    const long = 'x'.repeat(10_000);
    const record = alertRecord({ rule_title: long }, { CommandLine: long, Image: long, TargetFilename: long });
    const slack = buildSlackMessage({ subject: long, message: message(record) });
    const header = slack.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of slack.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.type === 'section' && block.fields)
        for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    expect(slack.text.length).toBeLessThanOrEqual(3000);
  });

  it('posts the text of a notification that is not an alert record', () => {
    const slack = buildSlackMessage({ subject: 'Test', message: 'hello <world>' });
    expect(slack.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Test' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'hello &lt;world&gt;' } },
    ]);
    expect(slack.text).toBe(':grey_question: Test');
  });

  it('falls back to the level attribute and a default subject', () => {
    const slack = buildSlackMessage({ message: 'plain', attributes: { level: 'critical' } });
    expect(slack.text).toBe(':red_circle: hookstream alert');
  });
});

describe('escapeMrkdwn', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['*bold* _it_', '*bold* _it_'],
  ])('%s -> %s', (input, output) => {
    expect(escapeMrkdwn(input)).toBe(output);
  });
});
