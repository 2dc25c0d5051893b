/**
 * Load shedding on queueing delay, CoDel-style, as Facebook's RPC servers do it (Ben Maurer, "Fail
 * at Scale", ACM Queue 13(8), 2015, after Nichols & Jacobson's CoDel, RFC 8289): a queue that has
 * emptied within the last `interval` is absorbing a burst, so a request may wait up to `interval`;
 * a queue that has not emptied for a whole `interval` is a standing queue, and a request joining it
 * may wait only `target`. A request past its wait is shed — answered at once with an overload
 * error — instead of being served late for a caller that has likely given up. Under a retry storm
 * this keeps the requests the relay forwards fresh, so the work the server does is work someone
 * still waits for. Times in ms.
 */
export interface SheddingSpec {
  kind: 'codel';
  /** The wait allowed in a standing queue (CoDel's target; Facebook's M). @default 5 */
  target: number;
  /** How long a queue may stand before `target` applies, and the wait allowed until then (Facebook's N). @default 100 */
  interval: number;
}

export const DEFAULT_SHEDDING: SheddingSpec = { kind: 'codel', target: 5, interval: 100 };

/** The longest a request joining the queue at `now` may wait, the queue having been non-empty since `nonEmptySince`. */
export function allowedWait(s: SheddingSpec, now: number, nonEmptySince: number): number {
  return now - nonEmptySince > s.interval ? s.target : s.interval;
}
