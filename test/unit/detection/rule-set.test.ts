/** RuleSet: the prefilter automata are built on each list's first event, or all at once by prepare(). */
import { compileRules } from '../../../src/detection/index.js';
import { processRule, sysmonEvent } from '../../helpers/sigma-rules.js';

const rules = [
  ["Image|endswith: '\\evil.exe'", 'selection'],
  ["CommandLine|contains: 'whoami'", 'selection'],
  ["CommandLine|contains|all: ['net', 'user']", 'selection'],
].map(([selection, condition], i) => ({
  file: `r${i}.yml`,
  text: processRule(`selection:\n    ${selection}\ncondition: ${condition}`).replace(
    '00000000-0000-4000-8000-000000000001',
    `00000000-0000-4000-8000-00000000000${i}`,
  ),
}));

const events = [
  sysmonEvent({ Image: 'C:\\x\\evil.exe', CommandLine: 'evil.exe' }),
  sysmonEvent({ Image: 'C:\\x\\cmd.exe', CommandLine: 'cmd /c whoami' }),
  sysmonEvent({ Image: 'C:\\x\\net.exe', CommandLine: 'net user bob' }),
  sysmonEvent({ Image: 'C:\\x\\net.exe', CommandLine: 'net group' }),
];

const matchedFiles = (ruleSet: ReturnType<typeof compileRules>['ruleSet']) =>
  events.map((event) => ruleSet.match(event).map((m) => m.rule.file));

describe('RuleSet.prepare', () => {
  it('matches the same with the automata built up front as built on first use', () => {
    const lazy = compileRules(rules).ruleSet;
    const eager = compileRules(rules).ruleSet;
    eager.prepare();
    expect(matchedFiles(eager)).toEqual(matchedFiles(lazy));
    expect(matchedFiles(lazy)).toEqual([['r0.yml'], ['r1.yml'], ['r2.yml'], []]);
  });

  it('is idempotent, and harmless after the first event', () => {
    const ruleSet = compileRules(rules).ruleSet;
    const before = matchedFiles(ruleSet);
    ruleSet.prepare();
    ruleSet.prepare();
    expect(matchedFiles(ruleSet)).toEqual(before);
  });
});
