import { splitJsonText } from '../../../../src/events/decode/json-text.js';
import { LIMITS } from '../../../../src/limits.js';

function shape(text: string) {
  return splitJsonText(text).map((piece) => (piece.ok ? piece.value : `!${piece.error}: ${piece.text}`));
}

const GOOD = '{"n":1}';
const good = (n: number) => ({ n });
const lines = (...items: string[]) => `${items.join('\n')}\n`;

describe('splitJsonText', () => {
  it.each<[string, string, unknown[]]>([
    ['newline-delimited', '{"a":1}\n{"b":2}\n', [{ a: 1 }, { b: 2 }]],
    ['CRLF and blank lines', '{"a":1}\r\n\r\n{"b":2}', [{ a: 1 }, { b: 2 }]],
    ['pretty-printed concatenated', '{\n  "a": 1\n}\n{\n  "b": "}{"\n}', [{ a: 1 }, { b: '}{' }]],
    ['concatenated on one line', '{"a":"\\"}"}{"b":2}', [{ a: '"}' }, { b: 2 }]],
    ['pretty-printed beside newline-delimited', '{\n  "a": [\n    1\n  ]\n}\n{"b":2}\n', [{ a: [1] }, { b: 2 }]],
    ['a pretty-printed array of objects', '[\n  {"a": 1},\n  {"b": 2}\n]', [[{ a: 1 }, { b: 2 }]]],
    ['arrays and strings', '[1]\n"x"', [[1], 'x']],
    ['a garbage line', '{"a":1}\nnope\n{"b":2}', [{ a: 1 }, '!not JSON or XML: nope', { b: 2 }]],
    ['a truncated object', '{"a":1}\n{"b":', [{ a: 1 }, '!truncated JSON: {"b":']],
    ['a truncated pretty-printed document', '{\n  "a": 1,\n  "b": {\n', ['!truncated JSON: {\n  "a": 1,\n  "b": {']],
    ['balanced but invalid', '{a:1}', ['!not JSON or XML: {a:1}']],
    [
      'balanced but invalid, then more on its line',
      '{a:1} {"b":2}\n{"c":3}',
      ['!not JSON or XML: {a:1} {"b":2}', { c: 3 }],
    ],
    ['nothing', ' \n ', []],
    ['a lone quote line', '"\n{"a":1}', ['!not JSON or XML: "', { a: 1 }]],
    ['a one-line value with blanks after it', '{"a":1} \t\r\n', [{ a: 1 }]],
  ])('%s', (_name, text, expected) => {
    expect(shape(text)).toEqual(expected);
  });
});

describe('splitJsonText: a bad line costs only itself', () => {
  it.each<[string, string, unknown[]]>([
    [
      'a line cut inside a string',
      lines(GOOD, '{"a":"cut her', GOOD, GOOD),
      [good(1), '!truncated JSON: {"a":"cut her', good(1), good(1)],
    ],
    [
      'a line cut between values',
      lines(GOOD, '{"a":{"b":1,', GOOD, GOOD),
      [good(1), '!truncated JSON: {"a":{"b":1,', good(1), good(1)],
    ],
    ['a line cut after an escape', lines('{"a":"x\\', GOOD), ['!truncated JSON: {"a":"x\\', good(1)]],
    ['a cut line with CRLF', '{"a":\r\n{"n":1}\r\n', ['!truncated JSON: {"a":', good(1)]],
    [
      'two cut lines in a row',
      lines('{"a":', '{"b":', GOOD),
      ['!truncated JSON: {"a":', '!truncated JSON: {"b":', good(1)],
    ],
    [
      'a cut line, then a cut array line',
      lines('{"a":', '[1,', GOOD),
      ['!truncated JSON: {"a":', '!truncated JSON: [1,', good(1)],
    ],
    // A pretty-printed value (its first line the bracket alone) takes any line that could be inside it.
    [
      'a cut pretty-printed value, then a line that could continue it',
      lines('{', '  "a":', '[1,', GOOD),
      ['!truncated JSON: {\n  "a":\n[1,', good(1)],
    ],
    [
      'a cut line before an XML line',
      lines('{"a":', '<Event/>'),
      ['!truncated JSON: {"a":', '!not JSON or XML: <Event/>'],
    ],
    [
      'binary garbage starting with {',
      lines('{\u0001\u00ff}}x', GOOD),
      ['!not JSON or XML: {\u0001\u00ff}}x', good(1)],
    ],
    [
      'balanced garbage between good lines',
      lines(GOOD, '{nope}', GOOD),
      [good(1), '!not JSON or XML: {nope}', good(1)],
    ],
  ])('%s', (_name, text, expected) => {
    expect(shape(text)).toEqual(expected);
  });

  it('reads the 100 good lines after a truncated one', () => {
    // Prepare
    const text = lines(
      '{"Event":{"EventData":{"Image":"C:\\\\Win',
      ...Array.from({ length: 100 }, (_v, i) => `{"n":${i}}`),
    );
    // Act
    const pieces = splitJsonText(text);
    // Assess
    expect(pieces.map((piece) => piece.ok)).toEqual([false, ...Array(100).fill(true)]);
    expect(pieces.slice(1).map((piece) => piece.ok && piece.value)).toEqual(
      Array.from({ length: 100 }, (_v, i) => good(i)),
    );
  });

  it('places every piece at its text, without the blanks around it', () => {
    const text = '  {"a":1} \r\n\n{"b":  \r\n{"c": 2}\n  {\n "d": 3\n}{"e":4}';
    const pieces = splitJsonText(text);
    expect(pieces.map((piece) => [piece.text, text.slice(piece.start, piece.end)])).toEqual(
      pieces.map((piece) => [piece.text, piece.text]),
    );
    expect(pieces.map((piece) => piece.text)).toEqual(['{"a":1}', '{"b":', '{"c": 2}', '{\n "d": 3\n}', '{"e":4}']);
  });
});

describe('splitJsonText: documents per record', () => {
  it('rejects the rest of a text past LIMITS.documentsPerRecord as one piece, keeping the pieces before it', () => {
    const limit = LIMITS.documentsPerRecord;
    const text = lines(...Array.from({ length: limit + 500 }, (_, i) => (i % 2 === 0 ? `{x${i}}` : GOOD)));
    const pieces = splitJsonText(text);
    expect(pieces).toHaveLength(limit + 1);
    const last = pieces[limit];
    expect(last?.ok).toBe(false);
    expect(last && !last.ok && last.error).toBe('too many documents in one record');
    expect(last?.text.split('\n').filter((line) => line !== '')).toHaveLength(500);
    expect(pieces.slice(0, limit).filter((p) => p.ok)).toHaveLength(limit / 2);
  });
});
