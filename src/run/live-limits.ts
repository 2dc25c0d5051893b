/**
 * The fastest time scale a live run accepts. At time scale k, one real millisecond of socket and
 * event-loop overhead is 1/k ms of scenario time: below 0.001 that is over a second per message,
 * so latencies, timeouts and the time series would describe the machine rather than the scenario
 * (and the series would grow without bound).
 */
export const MIN_TIME_SCALE = 0.001;
