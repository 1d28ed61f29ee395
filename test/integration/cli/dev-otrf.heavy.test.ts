/**
 * Issue 9, part 4 (acceptance, heavy: about 5-6 minutes for both modes; not in `npm test`): `hookstream dev`
 * fed with every OTRF recording by `hookstream send`, compared with `hookstream replay` over the same files with
 * the same rules and enrichment options. Both are the built CLI (dist/hookstream.js) as child processes, as a user
 * runs them; `npm run build` first (the test refuses a build older than the sources).
 *
 * For `--partition-key host` (a host's records in order on one shard) and `random` (a connection and its answer on
 * different shards, so names come from the resolution table through the hold and the watermarks): every event
 * written once, every connection named as replay names it (name and source), the same alerts, and every output
 * row equal to replay's, field for field, apart from the fields the process-tracking hook writes.
 *
 * Those fields (test/helpers/tracked-fields.ts: the context fields of src/hooks/process-tracking-fields.ts for
 * the event's own process and Sysmon 8/10's source and target, and a 3008's ProcessGuid) are not expected to be
 * equal: replay reads the whole input in event-time order, dev the stream in send order, a batch at a time, and
 * with random keys a process's Sysmon 1 can be on another shard (docs/enrichment.md, "Process tracking"). So
 * events and alerts are identified by the fields as sent (not a 3008's ProcessGuid), rows are compared with the
 * tracked fields set aside, and the tracked fields are checked on their own: dev may lack a field replay has, or
 * carry a shorter Ancestors chain (the oldest images missing), never a value replay does not have or a different
 * one (that would be another process's or host's context). With the host as key dev must carry context on at
 * least 99.5% of the process sides replay carries it on (issue 11's figure); with random keys the share is only
 * printed. Set HOOKSTREAM_DEV_OTRF_DUMP=<folder> to keep both runs' rows as JSON.
 *
 * Run: npm run build --silent && HOOKSTREAM_TESTS=full NODE_OPTIONS='--experimental-vm-modules --no-warnings' \
 *   npx jest test/integration/cli/dev-otrf.heavy.test.ts
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  assertBuiltCliFresh,
  BUILT_CLI,
  type CliProcess,
  compareRows,
  exited,
  isQuiet,
  killIfRunning,
  lastCounts,
  readRows,
  SAME_ROWS,
  startCli,
  startDev,
  waitUntil,
} from '../../helpers/dev-session.js';
import { connectionIdOfRow } from '../../helpers/lambda-records.js';
import { OTRF_DIR, otrfFiles } from '../../helpers/otrf.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  alertWithoutTracked,
  carriedShare,
  compareTracked,
  formatTracked,
  sentAlertIdOfRow,
  sentEventIdOfRow,
  withoutTracked,
} from '../../helpers/tracked-fields.js';

const SIGMA_WINDOWS = path.resolve(OTRF_DIR, '../../sigma/rules/windows');

/** dev's defaults, given to replay too (docs/dev.md, "Defaults, and why"): the same answers name the same connections. */
const RETENTION_HOURS = 24;
const LOOK_AHEAD_SECONDS = 5;
/**
 * The deployed default rather than dev's 5 s. A connection is named by the answers that reach the stream up to the
 * hold window after it (docs/late-answers.md), and empire_mimikatz_opth is not in event-time order: HR001's
 * DNS-Client answers come about 4,300 lines after the Sysmon connections they name, a few seconds later at send's
 * rate. With 5 s the outcome depended on that rate (18 of those connections unnamed with --partition-key random in
 * one run, none with host); 30 s leaves a wide margin, so the comparison is about the pipeline, not the clock.
 */
const HOLD_WINDOW_SECONDS = 30;
/** A safety net for everything to come out of dev; a run takes about a minute and a half. */
const QUIET_TIMEOUT_MS = 10 * 60_000;

type Row = Record<string, unknown>;

function isConnection(row: Row): boolean {
  return row.event_id === 3 && row.channel === 'Microsoft-Windows-Sysmon/Operational';
}

/** Connection id -> its names (`name (source)`), sorted, for the connections that were named. */
function namesOf(rows: Row[]): Map<string, string> {
  const names = new Map<string, string[]>();
  for (const row of rows) {
    if (!isConnection(row) || row.DestinationHostnameSource === undefined) continue;
    const id = connectionIdOfRow(row);
    names.set(id, [...(names.get(id) ?? []), `${row.DestinationHostname} (${row.DestinationHostnameSource})`]);
  }
  return new Map([...names].map(([id, list]) => [id, list.sort().join(', ')]));
}

/**
 * With the host as partition key, the share of replay's tracked sides dev must carry context on (issue 11's
 * acceptance figure for the Lambda path).
 */
const HOST_KEY_MIN_SHARE = 0.995;

/** Set to a folder to keep both runs' rows there (JSON) for a closer look. */
const DUMP_DIR = process.env.HOOKSTREAM_DEV_OTRF_DUMP;

describeUnless(missing(OTRF_DIR, SIGMA_WINDOWS))(
  'hookstream dev over every OTRF recording, compared with replay',
  () => {
    let work: string;
    let rules: string;
    let replay: { events: Row[]; alerts: Row[]; rejected: Row[] };
    let dev: CliProcess | undefined;

    beforeAll(async () => {
      assertBuiltCliFresh();
      work = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-otrf-'));
      // Every Windows rule that compiles: dev, like the function, refuses to start on a rule that does not.
      rules = path.join(work, 'rules');
      await cp(SIGMA_WINDOWS, rules, { recursive: true });
      const check = startCli(['rules', 'check', rules, '--json'], { built: true });
      await exited(check.child);
      const checked = JSON.parse(check.stdout()) as { compiled: number; rejected: { file: string }[] };
      for (const { file } of checked.rejected) await rm(path.resolve(file));
      expect(checked.compiled).toBeGreaterThan(1000);

      const out = path.join(work, 'replay');
      const run = startCli(
        [
          'replay',
          OTRF_DIR,
          '--out',
          out,
          '--rules',
          rules,
          '--retention',
          String(RETENTION_HOURS),
          '--look-ahead',
          String(LOOK_AHEAD_SECONDS),
          '--no-progress',
        ],
        { built: true },
      );
      expect({ code: await exited(run.child), stderr: run.stderr() }).toMatchObject({ code: 0 });
      replay = {
        events: await readRows(path.join(out, 'events')),
        alerts: await readRows(path.join(out, 'alerts')),
        rejected: await readRows(path.join(out, 'rejected')),
      };
    }, 300_000);

    afterEach(async () => {
      await killIfRunning(dev);
    });

    afterAll(async () => {
      await killIfRunning(dev);
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    it.each(['host', 'random'] as const)(
      '--partition-key %s: every event once, every connection named as replay names it, the same alerts',
      async (mode) => {
        // Prepare
        const started = Date.now();
        const out = path.join(work, `dev-${mode}`);
        const session = await startDev(
          [
            '--rules',
            rules,
            '--out',
            out,
            '--interval',
            '2',
            '--retention',
            String(RETENTION_HOURS),
            '--hold-window',
            String(HOLD_WINDOW_SECONDS),
          ],
          { built: true, readyTimeoutMs: 120_000 },
        );
        dev = session.dev;
        const running = session.dev;

        // Act: the folder as a user sends it (the recordings one after the other, in name order).
        const send = startCli(
          ['send', OTRF_DIR, '--stream', 'hookstream', '--endpoint', session.endpoint, '--partition-key', mode],
          { built: true },
        );
        expect({ code: await exited(send.child), stderr: send.stderr() }).toMatchObject({ code: 0 });
        const sent = Number(/^sent (\d+) of \1 records/m.exec(send.stdout())?.[1] ?? Number.NaN);
        expect(sent).toBeGreaterThan(0);
        const sendMs = Date.now() - started;
        // Quiet: both functions have read every record and no held connection is waiting. The last mirror runs at
        // SIGINT, after this, so the folder then holds everything the bucket does.
        const quiet = await waitUntil(() => isQuiet(running.stderr(), sent), QUIET_TIMEOUT_MS, 1000);
        const quietMs = Date.now() - started;
        running.child.kill('SIGINT');
        const code = await exited(running.child);
        const events = await readRows(path.join(out, 'events'));
        const alerts = await readRows(path.join(out, 'alerts'));
        const rejected = await readRows(path.join(out, 'rejected'));

        // Assess: identity from the fields as sent, rows with the process-tracking fields set aside, then those fields.
        if (DUMP_DIR !== undefined) {
          await mkdir(DUMP_DIR, { recursive: true });
          const dump = { replay: replay.events, replayAlerts: replay.alerts, dev: events, devAlerts: alerts };
          for (const [name, rows] of Object.entries(dump)) {
            await writeFile(path.join(DUMP_DIR, `${mode}-${name}.json`), JSON.stringify(rows));
          }
        }
        const eventIds = compareRows(events, replay.events, sentEventIdOfRow);
        const replayConnections = replay.events.filter(isConnection);
        const devConnections = events.filter(isConnection);
        const replayNames = namesOf(replay.events);
        const devNames = namesOf(events);
        const differentlyNamed = [...new Set([...replayNames.keys(), ...devNames.keys()])]
          .filter((id) => replayNames.get(id) !== devNames.get(id))
          .map((id) => ({ id, replay: replayNames.get(id) ?? '-', dev: devNames.get(id) ?? '-' }));
        const alertIds = compareRows(alerts, replay.alerts, sentAlertIdOfRow);
        const eventRows = compareRows(events.map(withoutTracked), replay.events.map(withoutTracked));
        const alertRows = compareRows(alerts.map(alertWithoutTracked), replay.alerts.map(alertWithoutTracked));
        const trackedEvents = compareTracked(events, replay.events, sentEventIdOfRow);
        const trackedAlerts = compareTracked(
          alerts,
          replay.alerts,
          sentAlertIdOfRow,
          (row) => (row.event ?? {}) as Row,
          alertWithoutTracked,
        );
        const share = carriedShare(trackedEvents);
        const counts = lastCounts(running.stderr());
        console.log(
          `dev over OTRF, --partition-key ${mode} (${otrfFiles().length} recordings, ${path.basename(BUILT_CLI)}, ` +
            `--hold-window ${HOLD_WINDOW_SECONDS}): ${sent} records sent in ${sendMs} ms, quiet ${quiet} after ` +
            `${quietMs} ms, stopped after ${Date.now() - started} ms\n` +
            `  events: replay ${replay.events.length}, dev ${events.length}; lost ${eventIds.missing.count}, ` +
            `duplicated ${eventIds.extra.count}; rows differing from replay's (tracked fields aside) ${eventRows.missing.count}\n` +
            `  ${formatTracked('process-tracking fields, events', trackedEvents)}\n` +
            `  ${formatTracked('process-tracking fields, alerts', trackedAlerts)}\n` +
            `  connections: replay ${replayConnections.length}, dev ${devConnections.length}; named by replay ` +
            `${replayNames.size}, by dev ${devNames.size}; named differently ${differentlyNamed.length}\n` +
            `  alerts: replay ${replay.alerts.length}, dev ${alerts.length}; lost ${alertIds.missing.count}, ` +
            `duplicated ${alertIds.extra.count}; rows differing (tracked fields aside) ${alertRows.missing.count}; ` +
            `notifications printed ` +
            `${counts?.alerts}\n` +
            `  rejected: replay ${replay.rejected.length}, dev ${rejected.length}; hold messages re-checked ` +
            `${counts?.holdRechecked}; failed batches ${counts?.failedBatches}` +
            (differentlyNamed.length > 0 ? `\n  differences: ${JSON.stringify(differentlyNamed.slice(0, 20))}` : '') +
            `\n  tracked-field differences (sample): ${JSON.stringify(trackedEvents.sample.slice(0, 5))}` +
            (trackedEvents.sidesLacking.length > 0
              ? `\n  sides dev has nothing on (sample): ${JSON.stringify(trackedEvents.sidesLacking.slice(0, 5))}`
              : '') +
            (trackedEvents.conflicting.length + trackedEvents.extra.length > 0
              ? `\n  WRONG: ${JSON.stringify([...trackedEvents.conflicting, ...trackedEvents.extra].slice(0, 10))}`
              : ''),
        );
        expect({ code, stderr: running.stderr().slice(-5000) }).toMatchObject({ code: 0 });
        expect(running.stderr()).not.toContain('hold messages left unprocessed');
        expect(quiet).toBe(true);
        expect(replayNames.size).toBeGreaterThan(100);
        expect(replay.alerts.length).toBeGreaterThan(100);
        expect(eventIds).toEqual(SAME_ROWS);
        expect(differentlyNamed).toEqual([]);
        expect(alertIds).toEqual(SAME_ROWS);
        expect(eventRows).toEqual(SAME_ROWS);
        expect(alertRows).toEqual(SAME_ROWS);
        // Every row was paired, so every tracked field was compared.
        expect(trackedEvents.pairs).toBe(replay.events.length);
        expect(trackedAlerts.pairs).toBe(replay.alerts.length);
        expect(trackedEvents.referenceSides).toBeGreaterThan(1000);
        // dev may know less than replay (it sees the stream in send order), never something else.
        expect(trackedEvents.conflicting).toEqual([]);
        expect(trackedEvents.extra).toEqual([]);
        expect(trackedAlerts.conflicting).toEqual([]);
        expect(trackedAlerts.extra).toEqual([]);
        if (mode === 'host') expect(share).toBeGreaterThanOrEqual(HOST_KEY_MIN_SHARE);
        expect(rejected).toHaveLength(replay.rejected.length);
      },
      QUIET_TIMEOUT_MS + 180_000,
    );
  },
);
