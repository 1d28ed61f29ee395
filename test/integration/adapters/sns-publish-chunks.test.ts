/** PublishBatch requests stay within SNS's limits: 10 entries and 256 KiB of messages in all. */
import { PUBLISH_BATCH_LIMIT, publishChunks } from '../../../lambda/adapters/sns-alert-publisher.js';
import { LIMITS } from '../../../src/limits.js';
import type { AlertNotification } from '../../../src/pipeline/ports.js';

function notification(i: number, messageBytes: number): AlertNotification {
  return {
    occurrenceId: `o${i}`,
    dedupeKey: `k${i}`,
    level: 'high',
    ruleId: 'rule',
    ruleTitle: 'Rule',
    host: 'ws-1',
    time: 0,
    subject: `[high] Rule on ws-1 #${i}`,
    message: 'm'.repeat(messageBytes),
  };
}

describe('publishChunks', () => {
  it.each([
    ['25 small notifications', 25, 100, [10, 10, 5]],
    ['10 of 100 KB', 10, 100_000, [2, 2, 2, 2, 2]],
    ['3 of 200 KB (each alone)', 3, 200_000, [1, 1, 1]],
    ['none', 0, 100, []],
  ])('%s', (_name, count, bytes, sizes) => {
    const chunks = publishChunks(Array.from({ length: count }, (_, i) => notification(i, bytes)));
    expect(chunks.map((chunk) => chunk.length)).toEqual(sizes);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(PUBLISH_BATCH_LIMIT);
      if (chunk.length > 1) {
        const total = chunk.reduce((n, c) => n + c.message.length + c.subject.length, 0);
        expect(total).toBeLessThanOrEqual(LIMITS.sendMessageBatchBytes);
      }
    }
    expect(chunks.flat().map((n) => n.occurrenceId)).toEqual(Array.from({ length: count }, (_, i) => `o${i}`));
  });
});
