import { buildEvent, limitEventData, type RawHeader } from '../../../../src/events/formats/build-event.js';
import { LIMITS } from '../../../../src/limits.js';

function header(overrides: Partial<RawHeader> = {}): RawHeader {
  return {
    host: 'WORKSTATION5',
    channel: 'Application',
    provider: 'Custom',
    eventId: 1000,
    times: ['2021-01-01T00:00:00Z'],
    ...overrides,
  };
}

/** A reader that fills these fields, as a format's EventData reader would. */
function fields(data: Record<string, string>) {
  return (_context: unknown, into: Record<string, string>) => {
    Object.assign(into, data);
    return undefined;
  };
}

/** `count` fields of `chars` characters each. */
function manyFields(count: number, chars = 1): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_v, i) => [`F${i}`, 'x'.repeat(chars)]));
}

const EMOJI = '\u{1F600}'; // 4 UTF-8 bytes, 2 UTF-16 units

describe('buildEvent host name limit', () => {
  it.each<[string, string, string | undefined]>([
    ['a 255-byte ASCII name', 'h'.repeat(LIMITS.hostBytes), undefined],
    ['a 256-byte ASCII name', 'h'.repeat(LIMITS.hostBytes + 1), 'host name too long'],
    ['85 three-byte characters (255 bytes)', '\u20ac'.repeat(85), undefined],
    ['86 three-byte characters (258 bytes, 86 characters)', '\u20ac'.repeat(86), 'host name too long'],
    ['64 emoji (256 bytes, 128 UTF-16 units)', EMOJI.repeat(64), 'host name too long'],
    ['255 bytes inside blanks (trimmed first)', `  ${'h'.repeat(LIMITS.hostBytes)}  `, undefined],
    ['a 100,000-byte name', 'h'.repeat(100_000), 'host name too long'],
  ])('%s', (_name, host, error) => {
    // Act
    const result = buildEvent('evtx-json', header({ host }), fields({}));
    // Assess
    expect(result.ok ? undefined : result.error).toBe(error);
  });
});

describe('buildEvent EventData limits', () => {
  it.each<[string, Record<string, string>, string | number]>([
    ['a value of exactly the field limit', { CommandLine: 'a'.repeat(LIMITS.fieldChars) }, 0],
    ['a value one over the field limit: cut', { CommandLine: 'a'.repeat(LIMITS.fieldChars + 1) }, 1],
    [
      'two long values and a short one',
      { A: 'a'.repeat(5 * LIMITS.fieldChars), B: 'b'.repeat(LIMITS.fieldChars + 9), C: 'c' },
      2,
    ],
    ['exactly the most fields', manyFields(LIMITS.fieldsPerEvent), 0],
    ['one field more than the most', manyFields(LIMITS.fieldsPerEvent + 1), 'event too large'],
    ['exactly the most characters in all', manyFields(LIMITS.eventDataChars / LIMITS.fieldChars, LIMITS.fieldChars), 0],
    [
      'one character over the most in all',
      { ...manyFields(LIMITS.eventDataChars / LIMITS.fieldChars, LIMITS.fieldChars), Extra: 'x' },
      'event too large',
    ],
    [
      'over the most in all only before the cut (counted after it)',
      manyFields(LIMITS.eventDataChars / LIMITS.fieldChars, LIMITS.fieldChars + 100),
      LIMITS.eventDataChars / LIMITS.fieldChars,
    ],
  ])('%s', (_name, data, expected) => {
    // Act
    const result = buildEvent('evtx-json', header(), fields(data));
    // Assess
    if (typeof expected === 'string') {
      expect(result).toEqual({ ok: false, error: expected });
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.truncatedFields ?? 0).toBe(expected);
    for (const value of Object.values(result.value.data)) expect(value.length).toBeLessThanOrEqual(LIMITS.fieldChars);
  });

  it('cuts a value to its first characters', () => {
    const data = { CommandLine: `${'a'.repeat(LIMITS.fieldChars)}TAIL` };
    const result = buildEvent('evtx-json', header(), fields(data));
    expect(result.ok && result.value.data.CommandLine).toBe('a'.repeat(LIMITS.fieldChars));
  });

  it('never cuts between the two halves of a surrogate pair', () => {
    // Prepare: the limit falls between the high and the low surrogate of the last emoji.
    const data: Record<string, string> = { Text: `${'a'.repeat(LIMITS.fieldChars - 1)}${EMOJI}` };
    // Act
    const truncated = limitEventData(data);
    // Assess
    expect(truncated).toBe(1);
    expect(data.Text).toBe('a'.repeat(LIMITS.fieldChars - 1));
  });

  it('leaves an event within every limit unchanged and reports no cut', () => {
    const result = buildEvent('evtx-json', header(), fields({ A: 'a', B: '' }));
    expect(result).toEqual({
      ok: true,
      value: {
        host: 'WORKSTATION5',
        channel: 'Application',
        provider: 'Custom',
        eventId: 1000,
        time: Date.UTC(2021, 0, 1),
        format: 'evtx-json',
        data: { A: 'a', B: '' },
      },
    });
  });
});

describe('buildEvent lone surrogates (a JSON escape such as "\\ud800")', () => {
  it('replaces each in the host, the names and the values with U+FFFD, as a decoder does an invalid sequence', () => {
    // Prepare: a lone high and a lone low surrogate, beside a valid pair that must stay.
    const data = { Message: `a\ud800b ${EMOJI}`, 'Na\udc00me': 'x', Plain: 'y' };
    // Act
    const result = buildEvent('evtx-json', header({ host: 'HOST\ud800' }), fields(data));
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.host).toBe('HOST\ufffd');
    expect(result.value.data).toEqual({ Message: `a\ufffdb ${EMOJI}`, 'Na\ufffdme': 'x', Plain: 'y' });
    // What is written out holds no surrogate escape (strict JSON readers refuse one).
    expect(JSON.stringify(result.value)).not.toMatch(/\\ud[89a-f]/i);
  });

  it('a name that is taken once made well-formed keeps its value under the next free suffix', () => {
    const data = { 'A\ufffd': 'first', 'A\ud800': 'second' };
    expect(limitEventData(data)).toBe(0);
    expect(data).toEqual({ 'A\ufffd': 'first', 'A\ufffd_2': 'second' });
  });
});
