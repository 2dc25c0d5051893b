/**
 * Retry budgets: a limit on transport-layer retries shared by every call of one world (one
 * client). The caller tells the budget about each logical call it starts, each attempt it sends
 * and how each attempt ended, and asks it before every retry; a refused retry fails the call with
 * its failure kind and counts as `budgetExhausted`.
 */

/** How an attempt ended, as a budget sees it. */
export const AttemptEnd = { Ok: 0, RetryableFailure: 1, OtherFailure: 2, Cancelled: 3 } as const;
export type AttemptEnd = (typeof AttemptEnd)[keyof typeof AttemptEnd];

export interface RetryBudget {
  /** A logical call starts (its first attempt is about to go out). */
  request(now: number): void;
  /** An attempt goes out; `retry` when it is a transport retry. */
  sent(now: number, retry: boolean): void;
  /** An attempt ended for the caller. */
  ended(now: number, retry: boolean, end: AttemptEnd): void;
  /** May a retry go out now? `true` spends from the budget. */
  tryRetry(now: number): boolean;
}
