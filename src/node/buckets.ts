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
  raft: { prefix: 'r', holds: "'hs' hard state, 'snap' snapshot, 'e'+hex16(index) log entries (binary)" }
  // Reserved for later modules (do not reuse): 'j' jobs,
  // 't' tasks, 'c' completion (Dijkstra–Scholten) state, 'h' healing ledger.
} as const satisfies Record<string, BucketSpec>

export const RESERVED_PREFIXES = ['j', 't', 'c', 'h'] as const

export type BucketName = keyof typeof BUCKETS
