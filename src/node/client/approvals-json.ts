// The stable JSON form of an approval gate, shared by the CLI (`meshnode approvals --json`,
// `approve --json`) and the HTTP API (GET /v1/approvals).
import type { ApprovalEntry } from '../../wire/proto/admin.js'

/** The stable JSON form of a gate (`approvals --json`, `approve --json`, GET /v1/approvals). */
export function approvalJson (a: ApprovalEntry): Record<string, unknown> {
  return {
    id: a.id,
    job: a.jobId,
    step: a.step,
    prompt: a.prompt,
    home: a.home,
    requestedAt: a.requestedAt,
    deadline: a.deadline,
    onTimeout: a.onTimeout,
    approvers: [...a.approvers],
    state: a.state,
    ...(a.state !== 'pending'
      ? { decidedAt: a.decidedAt > 0 ? a.decidedAt : null, by: a.by !== '' ? a.by : null, ...(a.comment !== '' ? { comment: a.comment } : {}) }
      : {})
  }
}
