/**
 * The order in which the soak puts records, so that the pipeline's invariant (docs/late-answers.md) holds: an
 * answer that names a connection logged before it (up to the look-ahead later, in event time) reaches the stream
 * no later than the hold window after that connection.
 *
 * Live hosts ship in real time, so the 5 s of look-ahead are 5 s of wall clock, well inside the 30 s hold window.
 * The soak compresses 19 months of recordings into minutes and puts them in chunks between consumer steps: in a
 * dense stretch (21,827 records within 5 s gaps of each other in purplesharp_ad_playbook_I), an answer can come
 * thousands of records, and many seconds of the soak's wall clock, after the connections it names, and the pipeline
 * then rightly writes them unnamed (the first full soak run: 8 connections to 172.18.38.5 on mordordc). So each
 * such late answer is moved to just after the first connection it names, and the two are put in one request
 * ("glued": no chunk ends between them). Moving an answer earlier changes nothing replay decides: a name is chosen
 * by event times, and replay reads the whole input as one batch.
 */
import { answersFromEvent } from '../../src/dns/answers-from-event.js';
import { readRecord } from '../../src/events/read-record.js';
import { connectionKey } from '../../src/pipeline/connection-keys.js';

export interface Ordered<T> {
  items: T[];
  /** Positions before which no chunk may end (a moved answer, right after its connection). */
  glued: Set<number>;
  /** Answers moved. */
  moved: number;
}

interface Connection {
  index: number;
  time: number;
}

/**
 * Moves every late answer to just after the earliest connection it names (same host and IP, logged up to
 * `lookAheadMs` before it). `dataOf` gives an item's record bytes.
 */
export function orderForHoldWindow<T>(
  items: readonly T[],
  dataOf: (item: T) => Uint8Array,
  lookAheadMs: number,
): Ordered<T> {
  // Connections by key, in stream order; then, per answer, the earliest connection it names.
  const connections = new Map<string, Connection[]>();
  const answers: { index: number; keys: { key: string; time: number }[] }[] = [];
  items.forEach((item, index) => {
    const keys: { key: string; time: number }[] = [];
    for (const outcome of readRecord(dataOf(item))) {
      if (outcome.kind !== 'event') continue;
      const connection = connectionKey(outcome.event);
      if (connection !== undefined) {
        const key = `${connection.host}|${connection.ip}`;
        const list = connections.get(key) ?? [];
        list.push({ index, time: outcome.event.time });
        connections.set(key, list);
      }
      for (const answer of answersFromEvent(outcome.event))
        keys.push({ key: `${answer.host}|${answer.ip}`, time: answer.time });
    }
    if (keys.length > 0) answers.push({ index, keys });
  });
  const after = new Map<number, number>();
  for (const { index, keys } of answers) {
    let earliest: number | undefined;
    for (const { key, time } of keys) {
      for (const connection of connections.get(key) ?? []) {
        if (connection.index >= index || connection.time > time || time - connection.time > lookAheadMs) continue;
        if (earliest === undefined || connection.index < earliest) earliest = connection.index;
      }
    }
    if (earliest !== undefined) after.set(index, earliest);
  }
  const followers = new Map<number, number[]>();
  for (const [answer, connection] of after) followers.set(connection, [...(followers.get(connection) ?? []), answer]);
  const ordered: T[] = [];
  const glued = new Set<number>();
  items.forEach((item, index) => {
    if (after.has(index)) return;
    ordered.push(item);
    for (const answer of followers.get(index) ?? []) {
      glued.add(ordered.length);
      ordered.push(items[answer] as T);
    }
  });
  const moved = [...after].filter(([answer, connection]) => connection < answer - 1).length;
  return { items: ordered, glued, moved };
}
