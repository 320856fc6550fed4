// Reading a work core's staged writes in tests.
import type { TaskOutcome, WorkWrite } from '../../../src/work/records.js'

/**
 * The outcome of `taskId` among `writes`: a put to `results`, or inside its job's final
 * record (a one-task job's, see StoredJob). The last one written wins.
 */
export function outcomeWritten (writes: readonly WorkWrite[], taskId: string): TaskOutcome | undefined {
  let found: TaskOutcome | undefined
  for (const w of writes) {
    if (w.type !== 'put') continue
    if (w.bucket === 'results' && w.key === taskId) found = w.value as TaskOutcome
    else if (w.bucket === 'jobs' && w.outcome?.taskId === taskId) found = w.outcome
  }
  return found
}
