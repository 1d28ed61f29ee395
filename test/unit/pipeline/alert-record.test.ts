/** Alert records and notifications stay within what DynamoDB and SNS accept, whatever the event holds. */
import type { RuleInfo } from '../../../src/detection/types.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { LIMITS } from '../../../src/limits.js';
import { type Detection, dedupeKeyOf, toAlertRecord, toNotification } from '../../../src/pipeline/alert-record.js';

const RULE = { id: 'rule-1', title: 'Rule', level: 'high', tags: [], file: 'r.yml' } as unknown as RuleInfo;

function detection(data: Record<string, string>, host = 'WS-1'): Detection {
  const event: CanonicalEvent = {
    host,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 3,
    time: Date.UTC(2020, 0, 1),
    format: 'xml',
    data,
  } as CanonicalEvent;
  return { event, rule: RULE, origin: 'shardId-1/5', id: 'shardId-1/5#2' };
}

describe('dedupeKeyOf', () => {
  it('keeps a short key as it is', () => {
    expect(dedupeKeyOf(detection({ DestinationHostname: 'a.example' }), ['host', 'destination'])).toBe(
      'rule-1|ws-1|a.example',
    );
  });

  it('hashes a key over LIMITS.dedupeKeyBytes, the same for the same event, different for another', () => {
    const long = 'x'.repeat(LIMITS.dedupeKeyBytes);
    const key = dedupeKeyOf(detection({ DestinationHostname: long }), ['host', 'destination']);
    expect(key).toMatch(/^rule-1\|sha256:[0-9a-f]{64}$/);
    expect(dedupeKeyOf(detection({ DestinationHostname: long }), ['host', 'destination'])).toBe(key);
    expect(dedupeKeyOf(detection({ DestinationHostname: `${long}y` }), ['host', 'destination'])).not.toBe(key);
  });
});

describe('toNotification', () => {
  it('names the occurrence by the event id and the rule, whatever the batch', () => {
    const d = detection({ Image: 'C:\\a.exe' });
    expect(toNotification(d, toAlertRecord(d, ['host'])).occurrenceId).toBe('shardId-1/5#2|rule-1');
  });

  it('keeps a huge event under the SNS limit and without the characters SNS refuses', () => {
    const fields = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`F${i}`, `\uffff${'z'.repeat(30_000)}`]));
    const d = detection({ ...fields, CommandLine: `cmd \ufffe${'c'.repeat(30_000)}` });
    const message = toNotification(d, toAlertRecord(d, ['host'])).message;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(LIMITS.notificationBytes);
    expect(message).not.toMatch(/[\ufffe\uffff]/);
    expect(message).toContain('Command:  cmd');
  });

  it('keeps the alert JSON of an ordinary event, parseable, with the characters escaped', () => {
    const d = detection({ Image: 'C:\\evil\uffff.exe' });
    const message = toNotification(d, toAlertRecord(d, ['host'])).message;
    const json = JSON.parse(message.slice(message.lastIndexOf('\n') + 1)) as { event: { Image: string } };
    expect(json.event.Image).toBe('C:\\evil\uffff.exe');
  });
});

describe('toAlertRecord format', () => {
  it('is sigma for a rule without a format, and the rule format otherwise', () => {
    const d = detection({});
    expect(toAlertRecord(d, ['host']).format).toBe('sigma');
    expect(toAlertRecord({ ...d, rule: { ...RULE, format: 'gene' } }, ['host']).format).toBe('gene');
  });
});
