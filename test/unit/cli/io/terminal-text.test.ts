/** Hostile event text printed on a terminal: escapes and bidirectional overrides shown, JSON values kept. */
import { terminalCell, terminalJson, terminalText } from '../../../../cli/io/terminal-text.js';

const hostile = 'C:\\evil\u001b[2J\u001b]0;pwned\u0007\u001b[1A\u001b[2K\u009b31m\u202egpj.exe\u2066x\u007f';

describe('terminal text', () => {
  it('shows every escape, C1 control and bidirectional control as visible text', () => {
    expect(terminalText(hostile)).toBe(
      'C:\\evil\\x1b[2J\\x1b]0;pwned\\x07\\x1b[1A\\x1b[2K\\x9b31m\\u{202e}gpj.exe\\u{2066}x\\x7f',
    );
    // Nothing left that a terminal acts on.
    expect(terminalText(hostile)).toMatch(/^[\u0020-\u007e]*$/);
  });

  it('keeps line feeds and tabs in text, and writes them as \\n and \\t in a cell', () => {
    expect(terminalText('a\tb\nc\rd')).toBe('a\tb\nc\\rd');
    expect(terminalCell('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
  });

  it('leaves ordinary text, accents, CJK and emoji as they are', () => {
    const text = 'café 東京 😀 C:\\Windows\\System32\\cmd.exe /c "dir"';
    expect(terminalText(text)).toBe(text);
    expect(terminalCell(text)).toBe(text);
  });

  it('writes the rest as JSON escapes, so the JSON value is the same', () => {
    const json = JSON.stringify({ image: hostile });
    const safe = terminalJson(json);
    expect(safe).toMatch(/^[\u0020-\u007e]*$/);
    expect(JSON.parse(safe)).toEqual({ image: hostile });
  });
});
