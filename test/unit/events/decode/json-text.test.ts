import { splitJsonText } from '../../../../src/events/decode/json-text.js';

function shape(text: string) {
  return splitJsonText(text).map((piece) => (piece.ok ? piece.value : `!${piece.error}: ${piece.text}`));
}

describe('splitJsonText', () => {
  it.each<[string, string, unknown[]]>([
    ['newline-delimited', '{"a":1}\n{"b":2}\n', [{ a: 1 }, { b: 2 }]],
    ['CRLF and blank lines', '{"a":1}\r\n\r\n{"b":2}', [{ a: 1 }, { b: 2 }]],
    ['pretty-printed concatenated', '{\n  "a": 1\n}\n{\n  "b": "}{"\n}', [{ a: 1 }, { b: '}{' }]],
    ['concatenated on one line', '{"a":"\\"}"}{"b":2}', [{ a: '"}' }, { b: 2 }]],
    ['arrays and strings', '[1]\n"x"', [[1], 'x']],
    ['a garbage line', '{"a":1}\nnope\n{"b":2}', [{ a: 1 }, '!not JSON or XML: nope', { b: 2 }]],
    ['a truncated object', '{"a":1}\n{"b":', [{ a: 1 }, '!truncated JSON: {"b":']],
    ['balanced but invalid', '{a:1}', ['!not JSON or XML: {a:1}']],
    ['nothing', ' \n ', []],
  ])('%s', (_name, text, expected) => {
    expect(shape(text)).toEqual(expected);
  });
});
