/**
 * Every .evtx in SigmaHQ's regression data decodes, through readRecord, to the same canonical events as the
 * evtx_dump .json beside it (same count, same order, every field). The .json files were written by evtx_dump;
 * see docs/formats.md, "EVTX", for what the reader renders as evtx_dump does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { readRecord } from '../../src/events/read-record.js';
import { listFiles, SIGMA_ROOT, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';

/**
 * Values where the .json beside an .evtx disagrees with the .evtx itself (checked with python-evtx, which reads
 * the .evtx as we do): file -> field -> [value in the .json, value in the .evtx]. The test checks both values, so
 * an entry cannot hide anything else.
 */
const JSON_DISAGREES_WITH_EVTX: Record<string, Record<string, [string, string]>> = {
  // The .json (written by another evtx_dump version: 9-digit SystemTime) has the case of one value edited.
  'rules/windows/process_creation/proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx':
    { ParentCommandLine: ['C:\\Windows\\Explorer.exe', 'C:\\Windows\\Explorer.EXE'] },
};

const present = sigmaCorpusPresent();
const files = present ? listFiles(join(SIGMA_ROOT, 'regression_data'), '.evtx') : [];
const WHOLE_FILE = { documents: Number.POSITIVE_INFINITY };

function outcomes(path: string) {
  const all = readRecord(new Uint8Array(readFileSync(path)), WHOLE_FILE);
  const events: CanonicalEvent[] = [];
  const others: Array<{ kind: string; reason: string }> = [];
  for (const outcome of all) {
    if (outcome.kind === 'event') events.push(outcome.event);
    else others.push({ kind: outcome.kind, reason: outcome.reason });
  }
  return { events, others };
}

(present ? describe : describe.skip)(
  present
    ? 'EVTX regression data: .evtx equals its evtx_dump .json'
    : 'EVTX regression data (SKIPPED: ../shared/sigma is absent)',
  () => {
    it('finds the 202 .evtx files, each with its .json', () => {
      expect(files.length).toBeGreaterThanOrEqual(200);
      expect(files.filter((file) => !existsSync(file.replace(/\.evtx$/, '.json')))).toEqual([]);
    });

    it.each(files.map((file) => [file.split('/regression_data/')[1] ?? file, file]))('%s', (name, file) => {
      const evtx = outcomes(file);
      const json = outcomes(file.replace(/\.evtx$/, '.json'));
      for (const [field, [inJson, inEvtx]] of Object.entries(JSON_DISAGREES_WITH_EVTX[name] ?? {})) {
        for (const event of json.events) {
          expect(event.data[field]).toBe(inJson);
          event.data[field] = inEvtx;
        }
      }
      expect(evtx.others).toEqual([]);
      expect(json.others).toEqual([]);
      expect(evtx.events.length).toBeGreaterThan(0);
      expect(evtx.events).toEqual(json.events);
    });
  },
);
