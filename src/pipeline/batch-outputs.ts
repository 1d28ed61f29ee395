import { type AlertRecord, toAlertRecord } from './alert-record.js';
import { toRejectedLine } from './decode-batch.js';
import { toOutputRecord } from './output-record.js';
import { type OutputObject, partitionRows } from './partition.js';
import type { ProcessedBatch } from './process-batch.js';

export interface BatchOutputs {
  objects: OutputObject[];
  alerts: AlertRecord[];
}

/**
 * The objects a batch writes: events and alerts by event hour, rejected items by arrival hour, all named `name`
 * (derived from the input's position, so writing the same input again replaces the same objects).
 */
export function batchOutputs(batch: ProcessedBatch, name: string, dedupeFields: readonly string[]): BatchOutputs {
  const alerts = batch.detections.map((detection) => toAlertRecord(detection, dedupeFields));
  const objects = [
    ...partitionRows(
      'events',
      name,
      batch.events,
      (sourced) => sourced.event.time,
      (sourced) => JSON.stringify(toOutputRecord(sourced.event)),
    ),
    ...partitionRows('alerts', name, alerts, (alert) => Date.parse(alert.time)),
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
