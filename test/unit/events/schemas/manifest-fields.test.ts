/**
 * The generated manifest templates against real events: in evtx_dump's JSON of the Sigma regression samples the
 * EventData (or UserData) fields are in the order of the event's <Data> elements, which is the template order.
 * Every sample whose (provider, event ID, version) the table describes must name the same fields in that order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CHANNEL_PROVIDERS, MANIFEST_FIELDS } from '../../../../src/events/schemas/manifest-fields.js';
import { manifestVersions } from '../../../../src/events/schemas.js';
import { splitJsonDocuments } from '../../../helpers/sigma-evtx.js';
import { describeUnless, missing, sharedPath } from '../../../helpers/skip.js';

const REGRESSION_DIR = sharedPath('sigma', 'regression_data');

interface Sample {
  file: string;
  provider: string;
  channel: string;
  eventId: number;
  version: number;
  fields: string[];
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listJson(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

const object = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const fieldNames = (value: unknown) => Object.keys(object(value)).filter((key) => key !== '#attributes');

/** The non-Sysmon samples (Sysmon keeps its hand-written table), one per document. */
function samples(): Sample[] {
  const out: Sample[] = [];
  for (const file of listJson(REGRESSION_DIR).sort()) {
    for (const document of splitJsonDocuments(readFileSync(file, 'utf8'))) {
      const event = object(object(document).Event);
      const system = object(event.System);
      const provider = String(object(object(system.Provider)['#attributes']).Name ?? '');
      if (provider === 'Microsoft-Windows-Sysmon') continue;
      // UserData holds one element whose children are the fields.
      const userData = object(event.UserData);
      const fields = event.EventData
        ? fieldNames(event.EventData)
        : fieldNames(userData[fieldNames(userData)[0] ?? '']);
      out.push({
        file: path.relative(REGRESSION_DIR, file),
        provider,
        channel: String(system.Channel),
        eventId: Number(system.EventID),
        version: Number(system.Version ?? 0),
        fields,
      });
    }
  }
  return out;
}

const absent = missing(REGRESSION_DIR);
const cases = absent === undefined ? samples() : [];

describe('generated manifest templates', () => {
  it('lists only providers it has templates for, per channel', () => {
    for (const providers of Object.values(CHANNEL_PROVIDERS)) {
      for (const provider of providers) expect(MANIFEST_FIELDS[provider]).toBeDefined();
    }
  });

  it('has the Security, System, PowerShell, Defender, TaskScheduler and WMI events of the issue', () => {
    const pairs: Array<[string, string, number]> = [
      ['Microsoft-Windows-Security-Auditing', 'Security', 4624],
      ['Microsoft-Windows-Security-Auditing', 'Security', 4625],
      ['Microsoft-Windows-Security-Auditing', 'Security', 4688],
      ['Microsoft-Windows-Security-Auditing', 'Security', 4697],
      ['Microsoft-Windows-Security-Auditing', 'Security', 4698],
      ['Microsoft-Windows-Security-Auditing', 'Security', 4720],
      ['Microsoft-Windows-Security-Auditing', 'Security', 5140],
      ['Microsoft-Windows-Security-Auditing', 'Security', 5145],
      ['Service Control Manager', 'System', 7045],
      ['Microsoft-Windows-PowerShell', 'Microsoft-Windows-PowerShell/Operational', 4103],
      ['Microsoft-Windows-PowerShell', 'Microsoft-Windows-PowerShell/Operational', 4104],
      ['Microsoft-Windows-Windows Defender', 'Microsoft-Windows-Windows Defender/Operational', 1116],
      ['Microsoft-Windows-TaskScheduler', 'Microsoft-Windows-TaskScheduler/Operational', 129],
      ['Microsoft-Windows-WMI-Activity', 'Microsoft-Windows-WMI-Activity/Operational', 5861],
    ];
    expect(pairs.filter(([provider, channel, id]) => manifestVersions(provider, channel, id) === undefined)).toEqual(
      [],
    );
  });

  describeUnless(absent)('against the Sigma regression samples', () => {
    it('finds non-Sysmon samples', () => {
      expect(cases.length).toBeGreaterThanOrEqual(5);
    });

    it.each(cases.map((c) => [`${c.provider} ${c.eventId} v${c.version}`, c.file, c] as const))(
      '%s (%s) names its fields in template order',
      (_title, _file, c) => {
        const template = manifestVersions(c.provider, c.channel, c.eventId)?.[c.version];
        expect(template).toEqual(c.fields);
      },
    );
  });
});
