// Approval gates: a workflow step that waits for a person (or a named approver key) to
// approve or reject it, or for its deadline. The gate lives in the replicated control log
// (ops `approval.request` and `approval.decide` in src/consensus/control.ts), so any node
// can list and decide it, and the leader expires it even if the node that asked is gone.
// This module is pure: the record shapes, the id, and the validation the control log applies
// to a request. The I/O (proposing, expiry timer, listeners) is src/node/services/approvals.ts.

export type ApprovalOnTimeout = 'approve' | 'reject'
export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'cancelled'

/** What a workflow's home asks the mesh for when a gate step is reached. */
export interface ApprovalRequest {
  /** `${jobId}:${step}` (approvalId): one gate per step of a job, so a re-request is a no-op. */
  id: string
  jobId: string
  step: string
  prompt: string
  /** The node that asked (the job's home then). */
  home: string
  /** The home's clock, ms since the epoch. */
  requestedAt: number
  /**
   * requestedAt + timeoutMs, on the home's clock. The leader expires the gate when its own
   * clock passes this: a skew between the two clocks moves the expiry by as much.
   */
  deadline: number
  onTimeout: ApprovalOnTimeout
  /** Client key peer ids that may decide this gate without an operator grant. */
  approvers?: string[]
}

export interface ApprovalRecord extends ApprovalRequest {
  state: ApprovalState
  /** When it was decided: the decider's clock (the leader's for a timeout). */
  decidedAt?: number
  /** Peer id of the deciding key; 'timeout' when the deadline decided; who cancelled the job, if known. */
  by?: string
  comment?: string
  /** Log index of the request entry. */
  index: number
  /** Log index of the entry that decided (or cancelled) it. */
  decidedIndex?: number
}

/** What `by` says when the deadline decided. */
export const TIMEOUT_DECIDER = 'timeout'

/** Limits that keep a gate's record small: it is replicated and snapshotted whole. */
export const APPROVAL_LIMITS = {
  /** A job id or step name, as the control log bounds keys. */
  nameBytes: 256,
  promptBytes: 4 * 1024,
  commentBytes: 2 * 1024,
  approvers: 32,
  /** A gate waits at most 30 days: a longer wait is a forgotten workflow. */
  maxTimeoutMs: 30 * 86_400_000
} as const

export function approvalId (jobId: string, step: string): string {
  return `${jobId}:${step}`
}

export function isFinalApproval (state: ApprovalState): boolean {
  return state !== 'pending'
}

/**
 * Validates an approval.request's fields (the control log decodes commands through this);
 * throws with a reason. Returns a clean copy holding only the known fields.
 */
export function parseApprovalRequest (raw: any): ApprovalRequest {
  const str = (k: string, max: number, allowEmpty = false): string => {
    const v = raw?.[k]
    if (typeof v !== 'string' || (!allowEmpty && v.length === 0) || Buffer.byteLength(v) > max) throw new Error(`approval.request: "${k}" must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${max} bytes`)
    return v
  }
  const time = (k: string): number => {
    const v = raw?.[k]
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`approval.request: "${k}" must be a time in ms since the epoch`)
    return v
  }
  const jobId = str('jobId', APPROVAL_LIMITS.nameBytes)
  const step = str('step', APPROVAL_LIMITS.nameBytes)
  const id = str('id', 2 * APPROVAL_LIMITS.nameBytes + 1)
  if (id !== approvalId(jobId, step)) throw new Error(`approval.request: "id" must be "${approvalId(jobId, step)}" (jobId:step)`)
  const requestedAt = time('requestedAt')
  const deadline = time('deadline')
  if (deadline < requestedAt || deadline - requestedAt > APPROVAL_LIMITS.maxTimeoutMs) throw new Error(`approval.request: "deadline" must be from 0 to ${APPROVAL_LIMITS.maxTimeoutMs} ms after "requestedAt"`)
  if (raw.onTimeout !== 'approve' && raw.onTimeout !== 'reject') throw new Error('approval.request: "onTimeout" must be "approve" or "reject"')
  const req: ApprovalRequest = { id, jobId, step, prompt: str('prompt', APPROVAL_LIMITS.promptBytes, true), home: str('home', APPROVAL_LIMITS.nameBytes), requestedAt, deadline, onTimeout: raw.onTimeout }
  if (raw.approvers !== undefined) {
    const a = raw.approvers
    if (!Array.isArray(a) || a.length > APPROVAL_LIMITS.approvers || !a.every((p: unknown) => typeof p === 'string' && p.length > 0 && p.length <= APPROVAL_LIMITS.nameBytes)) {
      throw new Error(`approval.request: "approvers" must list at most ${APPROVAL_LIMITS.approvers} peer ids`)
    }
    // Sorted and deduplicated: the same set is the same record on every node.
    if (a.length > 0) req.approvers = [...new Set<string>(a)].sort()
  }
  return req
}

/** The earliest deadline among pending gates, or undefined when none is pending. */
export function nextDeadline (records: Iterable<ApprovalRecord>): number | undefined {
  let next: number | undefined
  for (const r of records) if (r.state === 'pending' && (next === undefined || r.deadline < next)) next = r.deadline
  return next
}

/** Pending gates whose deadline passed at `now`, earliest first (ties by id). */
export function expiredApprovals (records: Iterable<ApprovalRecord>, now: number): ApprovalRecord[] {
  const due: ApprovalRecord[] = []
  for (const r of records) if (r.state === 'pending' && r.deadline <= now) due.push(r)
  return due.sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** How a decided gate reads in an error or a listing: "approved by X at TIME (comment)". */
export function describeDecision (r: ApprovalRecord): string {
  const by = r.by === TIMEOUT_DECIDER ? 'its deadline' : r.by != null && r.by !== '' ? r.by : 'the mesh'
  const when = r.decidedAt != null && r.decidedAt > 0 ? ` at ${new Date(r.decidedAt).toISOString()}` : ''
  return `${r.state} by ${by}${when}`
}
