// The stable codes an admin or internal response carries in `code` ("" = success). They reach
// the CLI (`meshnode: error: <message> [CODE]`) and the library API (MeshError.code)
// unchanged; scripts compare by them, so a code is never renamed or reused.

export const ADMIN_CODES = [
  /** A write reached a node that is not the leader and could not be forwarded to one. */
  'NOT_LEADER',
  /**
   * The write was not committed: no quorum, no leader yet, or the node is not in a cluster.
   * Also a submit at a node without quorum contact (the minority side of a partition),
   * refused at once: nothing was accepted. The CLI exits 4.
   */
  'NO_QUORUM',
  /** A compare-and-set found the key at another version. */
  'VERSION_MISMATCH',
  /** No such config key or job. */
  'NOT_FOUND',
  /** The request is malformed or names a command this node does not know. */
  'BAD_REQUEST',
  /** The control log refused the command as malformed. */
  'BAD_COMMAND',
  /** A submission that is not a valid job. */
  'BAD_JOB',
  /** A task payload over the limit. */
  'PAYLOAD_TOO_LARGE',
  /** No live node advertises what a task needs. */
  'NO_CAPABLE_NODE',
  /** The job was written but not registered in the control log; nothing is left behind. The CLI exits 4. */
  'NOT_REGISTERED',
  /** The job already finished (cancel). */
  'JOB_FINISHED',
  /** An approval gate was decided already (approve/reject): the message says how, by whom and when. */
  'ALREADY_DECIDED',
  /** A node this request had to reach (a job's home) did not answer. */
  'UNREACHABLE',
  /** The node is still starting its work layer; retry in a moment. */
  'STARTING',
  /** The node is stopping. */
  'STOPPING',
  /** The node is draining (meshnode drain, SIGTERM): it takes no new jobs; submit elsewhere. */
  'DRAINING',
  /** The caller's key lacks the right the command needs (the message names it and how to grant it). */
  'FORBIDDEN',
  /** The caller sent more than this node accepts from one peer; retry later. */
  'RATE_LIMITED',
  /** The caller has as many unfinished jobs as it may have; wait for some to finish. */
  'TOO_MANY_PENDING',
  /**
   * The node is near its memory or disk limit and takes no new jobs, or it could not write to
   * its disk (disk full): nothing was accepted. Submit at another node. The CLI exits 8.
   */
  'RESOURCE_EXHAUSTED',
  /** Internal protocol: the caller is not a member of this node's cluster. */
  'NOT_A_MEMBER',
  /** A bug: the message says what failed. */
  'INTERNAL'
] as const

export type AdminCode = typeof ADMIN_CODES[number]
