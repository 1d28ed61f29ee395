/** The query schema as data (src/query/schema.ts): every known field a column, in the events table and the alert struct. */

import { MANIFEST_FIELDS } from '../../../src/events/schemas/manifest-fields.js';
import { DNS_CLIENT_3008_FIELDS, SYSMON_FIELDS } from '../../../src/events/schemas.js';
import { CANONICAL_COLUMNS } from '../../../src/pipeline/output-record.js';
import {
  ALERT_EVENT_FIELDS,
  ALERTS_TABLE,
  columnName,
  EVENT_LINES_TABLE,
  EVENTS_TABLE,
  matchesByName,
  TABLES,
} from '../../../src/query/schema.js';

const byName = new Map(EVENTS_TABLE.columns.map((c) => [c.name, c]));

/** Every EventData name of every template, read from the schema sources independently of the schema module. */
function everySchemaName(): string[] {
  const names: string[] = [...DNS_CLIENT_3008_FIELDS];
  for (const list of SYSMON_FIELDS.values()) names.push(...list);
  for (const events of Object.values(MANIFEST_FIELDS)) {
    for (const versions of Object.values(events))
      for (const packed of Object.values(versions)) names.push(...packed.split(','));
  }
  return names;
}

describe('events table columns', () => {
  it('keeps the common columns of before, first and in order', () => {
    expect(EVENTS_TABLE.columns.slice(0, 10).map((c) => c.name)).toEqual([
      'host',
      'channel',
      'provider',
      'event_id',
      'time',
      'record_id',
      'format',
      'utctime',
      'rulename',
      'image',
    ]);
    expect(byName.get('destinationhostnamesource')?.comment).toMatch(/dns-process or dns-host/);
  });

  it('has a column for every field name of every schema, reading each of its spellings', () => {
    const names = everySchemaName();
    expect(names.length).toBeGreaterThan(1000);
    for (const name of names) {
      const reserved = (CANONICAL_COLUMNS as readonly string[]).includes(name.toLowerCase());
      const key = reserved ? `data_${name}` : name;
      const column = byName.get(columnName(key));
      expect(column?.jsonKeys).toContain(key);
    }
  });

  it.each([
    ['targetusername', 'TargetUserName', /Security-Auditing 4624, 4625/],
    ['logontype', 'LogonType', /Security-Auditing .*4624/],
    ['scriptblocktext', 'ScriptBlockText', /PowerShell 4104/],
    ['servicename', 'ServiceName', /Service Control Manager 7045/],
    ['data_channel', 'data_Channel', /Eventlog 104/],
  ])('%s is the string column of %s (%s)', (name, key, comment) => {
    expect(byName.get(name)).toMatchObject({ jsonKey: key, type: 'string', comment: expect.stringMatching(comment) });
  });

  it('merges keys into one column only when they differ in case alone', () => {
    for (const column of EVENTS_TABLE.columns) {
      expect(new Set(column.jsonKeys.map((key) => key.toLowerCase())).size).toBe(1);
    }
  });

  it('reads both spellings of a name the schemas write in two cases', () => {
    expect(byName.get('processid')?.jsonKeys).toEqual(expect.arrayContaining(['ProcessId', 'ProcessID']));
    expect(byName.get('processid')?.jsonKey).toBe('ProcessId');
  });

  it('names are unique, lower case and Glue-safe; a key with a space needs a mapping', () => {
    for (const table of TABLES) {
      const names = table.columns.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z0-9_]+$/);
      for (const c of table.columns) expect(c.comment.length).toBeLessThanOrEqual(255);
    }
    const product = byName.get('product_name');
    expect(product?.jsonKey).toBe('Product Name');
    expect(product && matchesByName(product)).toBe(false);
    expect(matchesByName(byName.get('processid')!)).toBe(true);
  });
});

describe('alerts and lines tables', () => {
  it('types alerts.event as a struct of every events column the SerDe matches by name', () => {
    const type = ALERTS_TABLE.columns.find((c) => c.name === 'event')?.type ?? '';
    expect(type).toMatch(/^struct<host:string,channel:string,provider:string,event_id:int,/);
    expect(type).toContain(',targetusername:string,');
    expect(type).toContain(',scriptblocktext:string,');
    expect(type).not.toContain('product_name');
    expect(ALERT_EVENT_FIELDS.length).toBe(EVENTS_TABLE.columns.filter(matchesByName).length);
    // Glue's limit on a column type.
    expect(type.length).toBeLessThan(131_072);
  });

  it('event_lines reads the events area as one line column, partitioned like events', () => {
    expect(EVENT_LINES_TABLE).toMatchObject({ area: 'events', storage: 'lines' });
    expect(EVENT_LINES_TABLE.columns.map((c) => c.name)).toEqual(['line']);
    expect(EVENT_LINES_TABLE.partitionKeys).toEqual(EVENTS_TABLE.partitionKeys);
    expect(TABLES.map((t) => t.name)).toEqual(['events', 'alerts', 'event_lines', 'alert_lines']);
  });
});
