// Limits on what a job may carry. The work core checks them (a submit, a peer's batch or
// result), and the wire checks them again while decoding; src/wire/constants.ts re-exports them.

/** Limits on what a job may carry, checked at submit (and on every frame a peer sends). */
export const JOB_LIMITS = {
  /** One task's JSON payload or result. */
  payloadBytes: 256 * 1024,
  /** Tasks in one submitted job (the roots; spawned children are not counted here). */
  rootTasks: 100_000,
  /** Jobs in one jobs.submit request. */
  jobsPerSubmit: 10_000,
  /** Capabilities one task may require. */
  requires: 16,
  /** Tasks in one steal grant or delivery. */
  batchTasks: 4096,
  /** Results in one results message. */
  results: 4096,
  /** Bytes of a shell command's captured stdout/stderr kept in its result. */
  outputBytes: 64 * 1024
} as const
