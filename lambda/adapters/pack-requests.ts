/**
 * Batch APIs (SQS SendMessageBatch, SNS PublishBatch) limit a request by entries and by the bytes of all its
 * messages together, refusing an oversized request as a whole: items are packed greedily under both, in order.
 */
export function packRequests<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxEntries: number,
  maxBytes: number,
): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    // An item over the byte limit alone still gets a request of its own (the service refuses it alone).
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
