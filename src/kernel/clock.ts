/** A source of the current time in milliseconds. Sim mode passes the kernel; live mode a wall clock. */
export interface Clock {
  now(): number;
}
