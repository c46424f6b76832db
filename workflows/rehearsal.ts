/**
 * Preloaded only into rehearsal bundles (the cohort simulator and its benches), never into a production worker's.
 *
 * The SDK captures a source-mapped stack trace for every promise a workflow creates and keeps it while the promise
 * is pending, for the Temporal UI's Stack Trace tab. A rehearsal never shows that tab, and with the capture a
 * 1,000-mentee simulation took 1.13x the time and 1.40x the peak RSS (docs/simulator.md). With no frames to
 * capture, the SDK records nothing. The price: a workflow failure in a rehearsal reports its message without a stack.
 */
Error.stackTraceLimit = 0;
