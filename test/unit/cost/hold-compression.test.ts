/**
 * The cost model's hold-queue constants against real connections: the looked-up Sysmon 3 connections of the OTRF
 * recordings, decoded by the pipeline's own decodeBatch and packed by the pipeline's own encodeHoldMessages, in
 * groups the size a batch holds. The model must not be more optimistic than what is measured here.
 */
import { estimateCost, WORKLOAD } from '../../../src/cost/index.js';
import { connectionKey } from '../../../src/pipeline/connection-keys.js';
import { decodeBatch } from '../../../src/pipeline/decode-batch.js';
import { encodeHoldMessages } from '../../../src/pipeline/held-codec.js';
import type { HeldConnection } from '../../../src/pipeline/ports.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import { otrfAvailable, otrfFiles, otrfToCanonical, readOtrfObjects } from '../../helpers/otrf.js';
import { describeUnless } from '../../helpers/skip.js';

/** The recordings as one shard's records, origins and sequence numbers as the Lambda input makes them. */
function heldConnections(): HeldConnection[] {
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  // Only the Sysmon 3 lines (picked by the test helper's converter), each re-serialised as a record.
  const lines = otrfFiles().flatMap((file) =>
    readOtrfObjects(file)
      .map((object) => ({ object, event: otrfToCanonical(object) }))
      .filter(({ event }) => event?.eventId === 3 && event.channel === 'Microsoft-Windows-Sysmon/Operational')
      .sort((a, b) => (a.event?.time ?? 0) - (b.event?.time ?? 0))
      .map(({ object }) => new TextEncoder().encode(JSON.stringify(object))),
  );
  const records = lines.map((data) => {
    sequence += 1_234_567n;
    return {
      origin: `shardId-000000000007/${sequence}`,
      data,
      arrival: 1_764_700_000_000,
      sequence: String(sequence),
    };
  });
  const { events } = decodeBatch(records, emptySummary());
  // What EnrichService.settle holds: every connection with a lookup key, in event-time order (per recording).
  return events
    .filter((sourced) => connectionKey(sourced.event) !== undefined)
    .map((sourced) => ({
      id: sourced.id,
      sequence: sourced.sequence as string,
      event: sourced.event,
      origin: sourced.origin,
      arrival: sourced.arrival,
      firstHeldAt: sourced.arrival,
      round: 1,
    }));
}

const jsonBytes = (items: readonly HeldConnection[]) =>
  items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);

/** Body bytes per JSON byte over consecutive groups of `size` (the last partial group left out, unless all). */
function ratio(items: readonly HeldConnection[], size: number): number {
  let json = 0;
  let encoded = 0;
  for (let start = 0; start + size <= items.length; start += size) {
    const group = items.slice(start, start + size);
    json += jsonBytes(group);
    encoded += encodeHoldMessages(group).bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  }
  return encoded / json;
}

describeUnless(otrfAvailable() ? undefined : 'OTRF recordings absent (../shared/datasets/otrf)')(
  'hold-queue constants measured on the OTRF connections',
  () => {
    const items = otrfAvailable() ? heldConnections() : [];

    it('finds the recordings connections', () => {
      // 585 Sysmon 3 events, of which 531 have a lookup key (docs/cost.md).
      expect(items.length).toBeGreaterThan(500);
    });

    it('heldConnectionBytes is at least the mean JSON bytes of a held connection', () => {
      const mean = jsonBytes(items) / items.length;
      console.log(`held connections: ${items.length}, mean JSON bytes ${mean.toFixed(1)}`);
      expect(mean).toBeGreaterThan(500);
      expect(WORKLOAD.heldConnectionBytes).toBeGreaterThanOrEqual(mean);
    });

    it('the holds of a 5 TB/day enrich batch are one message of one SQS chunk, as the model prices them', () => {
      const estimate = estimateCost({
        eventsPerSecond: 5e12 / 86_400 / 2860,
        eventBytes: 2860,
        stream: 'provisioned',
        aggregation: 8,
      });
      const perBatch = Math.round(estimate.hold.heldPerEnrichBatch);
      expect(perBatch).toBeGreaterThan(100);
      expect(estimate.hold.messagesPerEnrichBatch).toBeCloseTo(1, 6);
      expect(estimate.hold.chunksPerMessage).toBe(1);
      for (let start = 0; start + perBatch <= items.length; start += perBatch) {
        const { bodies } = encodeHoldMessages(items.slice(start, start + perBatch));
        expect(bodies).toHaveLength(1);
        expect(Buffer.byteLength(bodies[0] ?? '')).toBeLessThanOrEqual(estimate.hold.bytesPerMessage);
        expect(Buffer.byteLength(bodies[0] ?? '')).toBeLessThanOrEqual(64 * 1024);
      }
    });

    it('holdEncodedPerJsonByte is at least the measured ratio in groups of 64 and more', () => {
      // Below 64 connections (64 KiB of JSON at about 1 KB each) a batch's holds fit one message of one SQS
      // chunk at any ratio, so the constant only matters from there on.
      const measured = [64, 165, 300, items.length].map((size) => ({ size, ratio: ratio(items, size) }));
      console.log(measured.map(({ size, ratio: r }) => `groups of ${size}: ${r.toFixed(4)}`).join(', '));
      for (const { ratio: r } of measured) {
        expect(r).toBeGreaterThan(0.02);
        expect(WORKLOAD.holdEncodedPerJsonByte).toBeGreaterThanOrEqual(r);
      }
    });
  },
);
