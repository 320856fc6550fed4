// Limits on what a workflow may hold, each with its reason. The definition is checked against
// them at submit; the output limit is applied to every step result as it arrives.

export const WORKFLOW_LIMITS = {
  /** Steps in one workflow: a DAG view and a retry plan stay readable, and checks stay cheap. */
  steps: 1000,
  /** Elements of one matrix step (fan-out beyond this belongs in a handler that spawns). */
  matrix: 1000,
  /** One step task's result: the same as a task payload (src/work/limits.ts payloadBytes), since outputs feed later payloads. */
  outputBytes: 256 * 1024,
  /** Characters of one `${{ … }}` expression or bare condition, so parsing stays trivial. */
  exprBytes: 4096
} as const

/** How long an approval waits when its step does not say (one day). */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 86_400_000
