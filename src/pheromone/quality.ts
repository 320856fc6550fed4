// How much pheromone a served steal or delegated batch deposits: tasks moved per unit of
// latency, so a peer that hands over a lot of work quickly earns the most.

export interface ServiceSample {
  /** Tasks the peer handed over (or accepted and finished) in the exchange. */
  tasks: number
  /** Round-trip time of the exchange. */
  latencyMs: number
}

/**
 * Latency at which a batch's deposit is halved. 100 ms separates a nearby, responsive peer
 * from a congested or distant one without letting sub-millisecond differences on a LAN
 * dominate.
 */
export const REFERENCE_LATENCY_MS = 100

/** Deposit amount for one exchange; zero for an empty or malformed sample. */
export function serviceQuality (sample: ServiceSample, referenceLatencyMs = REFERENCE_LATENCY_MS): number {
  const tasks = Number.isFinite(sample.tasks) ? Math.max(0, sample.tasks) : 0
  const latency = Number.isFinite(sample.latencyMs) ? Math.max(0, sample.latencyMs) : Infinity
  if (tasks === 0 || latency === Infinity || !(referenceLatencyMs > 0)) return 0
  return tasks / (1 + latency / referenceLatencyMs)
}
