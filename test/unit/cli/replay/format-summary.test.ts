/** The replay summary says what the input limits trimmed, and says nothing about them when nothing was. */
import { formatSummary } from '../../../../cli/replay/format-summary.js';
import { emptySummary } from '../../../../src/pipeline/summary.js';

describe('formatSummary: trimmed input', () => {
  it('lists each non-zero trimmed counter with its meaning', () => {
    const summary = emptySummary();
    summary.trimmed.invalidUtf8 = 2;
    summary.trimmed.answerCnames = 35_984;
    const text = formatSummary(summary);
    expect(text).toContain('trimmed:');
    expect(text).toContain('  2  documents with invalid UTF-8, decoded as U+FFFD');
    expect(text).toContain('  35984  DNS answer CNAME steps dropped over 16 per answer');
    expect(text).not.toContain('EventData values cut');
  });

  it('prints no trimmed section for clean input', () => {
    expect(formatSummary(emptySummary())).not.toContain('trimmed');
  });
});

describe('formatSummary: hook counters', () => {
  it('lists every counter of every hook as hooks.<name>.<counter>, zero ones too', () => {
    const summary = emptySummary();
    summary.hooks = { 'dns-answers': { answers: 12, ipsDropped: 0 }, 'my-hook': { seen: 3 } };
    const lines = formatSummary(summary).split('\n');
    expect(lines.slice(lines.indexOf('hook counters:') + 1, lines.indexOf('hook counters:') + 4)).toEqual([
      `${'  hooks.dns-answers.answers'.padEnd(48)} 12`,
      `${'  hooks.dns-answers.ipsDropped'.padEnd(48)} 0`,
      `${'  hooks.my-hook.seen'.padEnd(48)} 3`,
    ]);
  });

  it('prints no hook section when no hook ran', () => {
    expect(formatSummary(emptySummary())).not.toContain('hook counters');
  });
});

describe('formatSummary: EVTX checksums', () => {
  it('says how many chunks were read and how many fail a checksum, with a warning when any does', () => {
    const summary = emptySummary();
    summary.evtx = {
      chunks: 9,
      checksumFailed: 2,
      headerChecksumFailed: 1,
      recordsChecksumFailed: 2,
      underFailingFileHeader: 0,
    };
    const text = formatSummary(summary);
    expect(text).toContain(
      'evtx: 9 chunks, 2 with a failing header/records checksum (1 header, 2 records), 0 under a failing file header checksum',
    );
    expect(text).toContain('warning: EVTX checksums fail');
  });

  it('has no warning for clean chunks, and no EVTX line without .evtx input', () => {
    const summary = emptySummary();
    summary.evtx.chunks = 3;
    expect(formatSummary(summary)).toContain('evtx: 3 chunks, 0 with a failing');
    expect(formatSummary(summary)).not.toContain('warning');
    expect(formatSummary(emptySummary())).not.toContain('evtx:');
  });
});

describe('formatSummary: input files skipped', () => {
  it('says how many input files were not read, and why, most frequent reason first', () => {
    const summary = emptySummary();
    summary.skippedInputs = 4;
    const lines = formatSummary(summary, {
      skippedByReason: { 'a symbolic link to nothing': 1, 'not a supported extension (.json)': 3 },
    }).split('\n');
    const at = lines.indexOf('input files skipped: 4');
    expect(at).toBeGreaterThan(-1);
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  3  not a supported extension (.json)',
      '  1  a symbolic link to nothing',
    ]);
  });

  it('prints no skipped line when every input file was read', () => {
    expect(formatSummary(emptySummary())).not.toContain('skipped');
  });
});
