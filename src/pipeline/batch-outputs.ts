import { type AlertRecord, toAlertRecord } from './alert-record.js';
import { toRejectedLine } from './decode-batch.js';
import { toOutputRecord } from './output-record.js';
import { filedTime, type OutputObject, partitionRows } from './partition.js';
import type { ProcessedBatch } from './process-batch.js';

export interface BatchOutputs {
  objects: OutputObject[];
  alerts: AlertRecord[];
}

export interface BatchOutputOptions {
  /**
   * File an event (and its alerts) dated more than this after its arrival under its arrival's hour (see
   * filedTime). The functions set it (FUTURE_TOLERANCE_MS); replay does not: its arrival is the input files' time,
   * and a local query reads every partition.
   */
  futureToleranceMs?: number;
}

/**
 * The objects a batch writes: events and alerts by event hour (see {@link BatchOutputOptions}), rejected items by
 * arrival hour, all named `name` (derived from the input's position, so writing the same input again replaces the
 * same objects).
 */
export function batchOutputs(
  batch: ProcessedBatch,
  name: string,
  dedupeFields: readonly string[],
  options: BatchOutputOptions = {},
): BatchOutputs {
  const alerts = batch.detections.map((detection) => toAlertRecord(detection, dedupeFields));
  const tolerance = options.futureToleranceMs;
  const arrivals = new Map(tolerance === undefined ? [] : batch.events.map((sourced) => [sourced.id, sourced.arrival]));
  const filed = (time: number, id: string): number => {
    const arrival = arrivals.get(id);
    return tolerance === undefined || arrival === undefined ? time : filedTime(time, arrival, tolerance);
  };
  const alertTimes = new Map(alerts.map((alert, i) => [alert, filed(Date.parse(alert.time), batch.detections[i]!.id)]));
  const objects = [
    ...partitionRows(
      'events',
      name,
      batch.events,
      (sourced) => filed(sourced.event.time, sourced.id),
      (sourced) => JSON.stringify(toOutputRecord(sourced.event)),
    ),
    ...partitionRows('alerts', name, alerts, (alert) => alertTimes.get(alert) as number),
    ...partitionRows(
      'rejected',
      name,
      batch.rejected,
      (item) => item.arrival,
      (item) => JSON.stringify(toRejectedLine(item)),
    ),
  ];
  return { objects, alerts };
}
