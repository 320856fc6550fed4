// The one registry of LevelDB key spaces. Every module that persists anything gets a bucket
// here, so prefixes never collide and the whole on-disk layout is readable in one place.
// Prefixes are permanent: a retired bucket keeps its prefix reserved, never reused, so old
// data directories cannot be misread by newer code.

export interface BucketSpec {
  /** Sublevel name; the on-disk key prefix is `!<prefix>!`. */
  prefix: string
  /** What the bucket maps, for the reader of this file. */
  holds: string
}

export const BUCKETS = {
  meta: { prefix: 'm', holds: 'node metadata: schema version, incarnation counter' },
  peers: { prefix: 'p', holds: 'peerId -> KnownPeer: peers met once, re-dialed after restart' },
  raft: { prefix: 'r', holds: "'hs' hard state, 'snap' snapshot, 'e'+hex16(index) log entries (binary)" },
  jobs: { prefix: 'j', holds: 'jobId -> JobRecord: jobs whose home is this node (state, counts, per-node breakdown); tasks, results and outbox values leave out what their key and the node say (record-codec.ts, schema 2)' },
  tasks: { prefix: 't', holds: 'taskId -> StoredTask: tasks held here, queued (with their single Dijkstra–Scholten charge) or delegated (kept until the batch is signalled)' },
  completion: { prefix: 'c', holds: 'recordKey -> CompletionRecord: the Dijkstra–Scholten core state (a task charged once, queued or in the outbox, has none: src/work/core/charges.ts)' },
  results: { prefix: 'x', holds: 'taskId -> TaskOutcome: results of tasks of jobs homed here, recorded once per id' },
  outbox: { prefix: 'o', holds: 'taskId -> TaskOutcome: results of tasks run here (with their charge), until their home acknowledges them' },
  replicas: { prefix: 'd', holds: "jobId -> JobReplica: definitions of other homes' running jobs, kept until the registry says they are over (re-homing)" },
  replicaSets: { prefix: 'g', holds: "first jobId -> SealedReplicaSet (src/work/core/replicas.ts; deflated since stop 49; StoredReplicaSet at stop 25, JobReplica[] before): one replicate message of another home (a submit's jobs), kept until every job in it is over" },
  audit: { prefix: 'a', holds: "cursor (hex16(at ms) + ':' + source) -> AuditRecord: mutations and refusals, newest kept (src/node/access/audit.ts)" },
  incidents: { prefix: 'i', holds: 'incidentId -> Incident: what went wrong and what the mesh did, as this node saw it; pruned by age and count (src/node/observe/incident-log.ts)' }
  // Reserved for later modules (do not reuse): 'h' healing ledger.
} as const satisfies Record<string, BucketSpec>

export const RESERVED_PREFIXES = ['h'] as const

export type BucketName = keyof typeof BUCKETS
