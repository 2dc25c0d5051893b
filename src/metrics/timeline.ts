/**
 * What a world delivered over time, per window (the report's `report.window`, 10 s by default):
 * successful logical calls, workflows started, completed and failed, and the spend that
 * bought nothing — agent-layer retry turns when they ran, the rest of a failed workflow's spend
 * when it failed. Integer series that grow with simulated time, not with calls, and add up across
 * worlds and shards exactly. The recovery figures (report/recovery.ts) read them.
 */
export interface TimelineRecord {
  windowMs: number;
  okCalls: number[];
  started: number[];
  completed: number[];
  failed: number[];
  /** Nano-dollars and tokens of spend that bought nothing (docs/tokens.md "The retry tax"). */
  wastedNanos: number[];
  wastedTokens: number[];
}

export class Timeline {
  readonly okCalls: number[] = [];
  readonly started: number[] = [];
  readonly completed: number[] = [];
  readonly failed: number[] = [];
  readonly wastedNanos: number[] = [];
  readonly wastedTokens: number[] = [];

  constructor(readonly windowMs: number) {}

  /** Every series, grown together. */
  private readonly series = [this.okCalls, this.started, this.completed, this.failed, this.wastedNanos, this.wastedTokens];

  private at(t: number): number {
    const i = Math.floor(t / this.windowMs);
    if (i >= this.okCalls.length) for (const s of this.series) while (s.length <= i) s.push(0);
    return i;
  }

  okCall(t: number): void {
    this.okCalls[this.at(t)]++;
  }

  workflowStarted(t: number): void {
    this.started[this.at(t)]++;
  }

  workflowCompleted(t: number): void {
    this.completed[this.at(t)]++;
  }

  /** A workflow failed at `t`; what it spent outside retry turns bought nothing. */
  workflowFailed(t: number, nanos: number, tokens: number): void {
    const i = this.at(t);
    this.failed[i]++;
    this.wastedNanos[i] += nanos;
    this.wastedTokens[i] += tokens;
  }

  /** An agent-layer retry turn at `t`: it re-bought work. */
  retryTurn(t: number, nanos: number, tokens: number): void {
    const i = this.at(t);
    this.wastedNanos[i] += nanos;
    this.wastedTokens[i] += tokens;
  }

  toRecord(): TimelineRecord {
    return {
      windowMs: this.windowMs,
      okCalls: this.okCalls,
      started: this.started,
      completed: this.completed,
      failed: this.failed,
      wastedNanos: this.wastedNanos,
      wastedTokens: this.wastedTokens,
    };
  }
}
