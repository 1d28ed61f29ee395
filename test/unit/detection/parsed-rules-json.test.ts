import { compileParsedRules, compileRules, parseRuleSources } from '../../../src/detection/index.js';
import { decodeParsedRules, encodeParsedRules, LazyYamlMap } from '../../../src/detection/parsed-rules-json.js';
import { YamlNumber } from '../../../src/detection/yaml-documents.js';
import { processRule, sysmonEvent } from '../../helpers/sigma-rules.js';

const KEY = 'k1';

describe('parsed rule files as JSON', () => {
  it('reads back key order (integer-like keys too), number spellings, lines and YAML errors', () => {
    // Prepare: a JSON object would list "10" and "2" before "b"; 0x17 must stay "0x17"; .inf has no JSON number.
    const parsed = parseRuleSources([
      {
        file: 'a.yml',
        text: 'b: 1\n"10": x\n"2": y\nn: 0x17\ninf: .inf\nlist: [1, true, null, ~]\n---\nsecond: doc\n',
      },
      { file: 'bad.yml', text: 'title: x\n  bad: [' },
    ]);

    // Act
    const back = decodeParsedRules(encodeParsedRules(parsed, KEY), KEY);

    // Assess
    expect(back).toEqual({ ok: true, value: parsed });
    if (!back.ok) return;
    const first = back.value[0]?.parsed;
    if (!first?.ok) throw new Error('the first file should parse');
    const map = first.value[0]?.value;
    if (!(map instanceof Map)) throw new Error('the first document should be a map');
    expect([...map.keys()]).toEqual(['b', '10', '2', 'n', 'inf', 'list']);
    expect(map.get('n')).toEqual(new YamlNumber(23, '0x17'));
    expect(map.get('inf')).toEqual(new YamlNumber(Number.POSITIVE_INFINITY, '.inf'));
    expect(first.value[1]?.line).toBe(8);
    expect(back.value[1]?.parsed.ok).toBe(false);
  });

  it("keeps a Gene file's text", () => {
    const parsed = [{ file: 'g.gen', parsed: { ok: true as const, value: [] }, gene: '{"Name": "x"}' }];
    expect(decodeParsedRules(encodeParsedRules(parsed, KEY), KEY)).toEqual({ ok: true, value: parsed });
  });

  it('compiles to the same rule set as the YAML', () => {
    const sources = [
      { file: 'r.yml', text: processRule("selection:\n    Image|endswith: '\\evil.exe'\ncondition: selection") },
    ];
    const event = sysmonEvent({ Image: 'C:\\x\\evil.exe' });
    const direct = compileRules(sources);
    const back = decodeParsedRules(encodeParsedRules(parseRuleSources(sources), KEY), KEY);
    if (!back.ok) throw new Error(back.error);
    const viaJson = compileParsedRules(back.value);
    expect(viaJson.compiled).toBe(1);
    expect(viaJson.ruleSet.match(event)).toEqual(direct.ruleSet.match(event));
    expect(viaJson.ruleSet.match(event)).toHaveLength(1);
  });

  it("reads a rule's detection map when first read, and a damaged one as keys without values", () => {
    const sources = [
      { file: 'r.yml', text: processRule("selection:\n    Image|endswith: '\\evil.exe'\ncondition: selection") },
    ];
    const text = encodeParsedRules(parseRuleSources(sources), KEY);
    const back = decodeParsedRules(text, KEY);
    if (!back.ok || !back.value[0]?.parsed.ok) throw new Error('should read back');
    const doc = back.value[0].parsed.value[0]?.value as Map<string, unknown>;
    const detection = doc.get('detection') as Map<string, unknown>;
    expect(detection).toBeInstanceOf(LazyYamlMap);
    expect(detection.has('condition')).toBe(true);
    expect(detection.size).toBe(2);
    expect([...detection.keys()]).toEqual(['selection', 'condition']);
    expect(detection.get('condition')).toBe('selection');
    expect(encodeParsedRules(back.value, KEY)).toBe(text);
    // The detection's own text edited into something else (the entry's checksum would catch this; the decode
    // must still neither throw nor compile a rule from it).
    const inner = JSON.parse(text).sources[0].docs[0][1].m;
    const at = inner.indexOf('detection') + 1;
    inner[at].j = inner[at].j.slice(0, -5);
    const outer = JSON.parse(text);
    outer.sources[0].docs[0][1].m = inner;
    const damaged = decodeParsedRules(JSON.stringify(outer), KEY);
    if (!damaged.ok) throw new Error('the outer shape is intact');
    const result = compileParsedRules(damaged.value);
    expect(result.compiled).toBe(0);
    expect(result.rejected).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"format": 3, "key": "k1", "sources": [', 'not JSON'],
    ['another format', '{"format": 0, "key": "k1", "sources": []}', 'format 0'],
    ['another key', '{"format": 3, "key": "k2", "sources": []}', 'key differs'],
    ['no sources', '{"format": 3, "key": "k1"}', 'no sources'],
    [
      'a map with an odd entry count',
      '{"format":3,"key":"k1","sources":[{"file":"a","docs":[[1,{"m":["a"]}]]}]}',
      'odd',
    ],
    ['a number value', '{"format":3,"key":"k1","sources":[{"file":"a","docs":[[1,5]]}]}', 'unexpected number'],
    ['a bad document', '{"format":3,"key":"k1","sources":[{"file":"a","docs":[["x",null]]}]}', 'bad document'],
    ['a source without docs', '{"format":3,"key":"k1","sources":[{"file":"a"}]}', 'neither documents nor an error'],
  ])('refuses %s', (_name, text, reason) => {
    const result = decodeParsedRules(text, KEY);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(reason);
  });
});
