/**
 * Sigma's `Data` field on events whose EventData values have no names (classic Windows PowerShell, Application
 * events): the readers name them Data1..DataN, and a rule's `Data` reads them joined by a newline.
 */
import { readFileSync } from 'node:fs';
import { unnamedValues } from '../../../src/detection/eval-context.js';
import { compileRules } from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { describeUnless, missing, sharedPath } from '../../helpers/skip.js';

const detail = (engine: string, host: string) =>
  [
    '\tNewEngineState=Available',
    '\tPreviousEngineState=None',
    '',
    '\tSequenceNumber=13',
    '',
    '\tHostName=ConsoleHost',
    `\tHostVersion=${host}`,
    '\tHostId=2bd6a7a1-0c5c-4c39-8b0f-2d4d3a3e0c11',
    '\tHostApplication=powershell.exe -Version 2',
    `\tEngineVersion=${engine}`,
  ].join('\r\n');

function classic400(data: Record<string, string>): CanonicalEvent {
  return {
    host: 'WS01.corp.example',
    channel: 'Windows PowerShell',
    provider: 'PowerShell',
    eventId: 400,
    time: Date.UTC(2026, 0, 1),
    format: 'evtx-json',
    data,
  };
}

const rule = (detection: string) =>
  `title: Classic start
id: 00000000-0000-4000-8000-00000000da7a
status: test
logsource:
    product: windows
    category: ps_classic_start
detection:
${detection}
level: medium
`;

const matches = (ruleText: string, event: CanonicalEvent) => {
  const { ruleSet, rejected } = compileRules([{ file: 'r.yml', text: ruleText }]);
  expect(rejected).toEqual([]);
  return ruleSet.match(event).length > 0;
};

const downgrade = classic400({ Data1: 'Available', Data2: 'None', Data3: detail('2.0', '5.1.19041.1') });
const ordinary = classic400({ Data1: 'Available', Data2: 'None', Data3: detail('5.1.19041.1', '5.1.19041.1') });

describe('unnamedValues', () => {
  it('joins Data1..DataN in numeric order, ignoring named fields', () => {
    expect(unnamedValues(classic400({ Data10: 'j', Data2: 'b', Data1: 'a', Other: 'x' }))).toBe('a\nb\nj');
    expect(unnamedValues(classic400({ Image: 'x', Data0: 'no', DataX: 'no' }))).toBeUndefined();
  });
});

describe('Data on unnamed values', () => {
  it('contains reads any value, and a named Data field wins', () => {
    const r = rule("    selection:\n        Data|contains: 'EngineVersion=2.'\n    condition: selection");
    expect(matches(r, downgrade)).toBe(true);
    expect(matches(r, ordinary)).toBe(false);
    expect(matches(r, classic400({ Data: 'EngineVersion=5.', Data3: 'EngineVersion=2.' }))).toBe(false);
  });

  it('contains|all may take its needles from different values', () => {
    const r = rule(
      "    selection:\n        Data|contains|all: ['Available', 'HostName=ConsoleHost']\n    condition: selection",
    );
    expect(matches(r, downgrade)).toBe(true);
    expect(matches(r, classic400({ Data1: 'Stopped', Data3: 'HostName=ConsoleHost' }))).toBe(false);
  });

  it('re runs over the values', () => {
    const r = rule(
      "    selection:\n        Data|re: 'HostId=[a-zA-Z0-9-]{36}\\s+HostApplication='\n    condition: selection",
    );
    expect(matches(r, downgrade)).toBe(true);
  });
});

const corpusRule = sharedPath('sigma/rules/windows/powershell/powershell_classic/posh_pc_downgrade_attack.yml');
describeUnless(missing(corpusRule))('the corpus rule PowerShell Downgrade Attack', () => {
  it('fires on an engine 2 start and not on an ordinary one', () => {
    const text = readFileSync(corpusRule, 'utf8');
    expect(matches(text, downgrade)).toBe(true);
    expect(matches(text, ordinary)).toBe(false);
  });
});
