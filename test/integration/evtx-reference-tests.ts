/** Test helper: the python-evtx and evtxexport comparisons, defined for a list of .evtx files. */
import { sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import {
  comparable,
  comparableNative,
  evtxexportPresent,
  evtxexportRecords,
  nativeEvents,
  pythonEvents,
  pythonEvtxPresent,
} from './evtx-references.js';

const name = (file: string) => file.split('/regression_data/')[1] ?? file;

/** Defines the comparisons over `files`; each reader's block is skipped, with the reason in its title, when absent. */
export function defineReferenceTests(files: readonly string[], which: string): void {
  const corpus = sigmaCorpusPresent();
  const python = corpus && pythonEvtxPresent();
  const libevtx = corpus && evtxexportPresent();
  const why = !corpus ? '../shared/sigma is absent' : 'not installed (apt-get install -y python3-evtx libevtx-utils)';

  (python ? describe : describe.skip)(
    python ? `EVTX reader = python-evtx, ${which}` : `EVTX reader = python-evtx (SKIPPED: python-evtx ${why})`,
    () => {
      let reference = new Map<string, Array<Record<string, unknown> | string>>();
      beforeAll(() => {
        reference = pythonEvents(files);
      });

      it('compares some files', () => {
        expect(files.length).toBeGreaterThan(10);
        expect(reference.size).toBe(files.length);
      });

      it.each(files.map((file) => [name(file), file]))('%s', (_name, file) => {
        const theirs = reference.get(file);
        expect(theirs).toBeDefined();
        expect(comparableNative(file)).toEqual(theirs);
      });
    },
  );

  (libevtx ? describe : describe.skip)(
    libevtx ? `EVTX reader = evtxexport, ${which}` : `EVTX reader = evtxexport (SKIPPED: libevtx-utils ${why})`,
    () => {
      it.each(files.map((file) => [name(file), file]))('%s', (_name, file) => {
        const theirs = evtxexportRecords(file).map((r) => ({ ...r, strings: r.strings.map(comparable) }));
        const ours = nativeEvents(file).map((e) => ({
          eventId: e.eventId,
          computer: e.host,
          strings: Object.values(e.data).map(comparable),
        }));
        expect(ours).toEqual(theirs);
      });
    },
  );
}
