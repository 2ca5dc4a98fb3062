/**
 * The longest delay a Node.js timer can wait: 2^31−1 ms (about 24.8 days). A longer one fires
 * after 1 ms instead (with a TimeoutOverflowWarning), so every duration faultline accepts, from
 * a scenario, a flag or the admin API, is bounded by it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1
