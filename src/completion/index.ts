// Public face of Dijkstra–Scholten termination detection: one sans-I/O core per node that
// tracks, for every job, which received batches are still engaged, which outgoing batches
// are unsignalled (the ledger the healing layer re-runs), and when the home node may declare
// the job complete. See core.ts for the shell's persist-then-send contract.

export { CompletionCore } from './core.js'
export { CompletionError } from './errors.js'
export type { CompletionErrorCode } from './errors.js'
export { recordKey, recordId } from './records.js'
export { ROOT_CHARGES, ROOT_ENGAGEMENT } from './types.js'
export type {
  Abandoned,
  BatchId,
  BatchReceipt,
  BatchRecord,
  ClosedRecord,
  CompletionRecord,
  EngagementRecord,
  JobId,
  JobRecord,
  LedgerEntry,
  LocalTaskView,
  NodeId,
  PeerDeadReport,
  PersistOp,
  Ready,
  Reclaimed,
  RecordKind,
  Signal,
  SignalReceipt,
  TaskId,
  TaskRecord
} from './types.js'
