// Counters of rejected and dropped input, reported in `meshnode status`. Named like
// Prometheus counters (`_total`) so a later /metrics endpoint can expose them unchanged.

export const COUNTER_NAMES = [
  'gossip_rejected_total',
  'gossip_oversize_total',
  'gossip_malformed_total',
  'gossip_wrong_mesh_total',
  'gossip_forged_sender_total',
  'rpc_rejected_total',
  'rpc_served_total',
  'heartbeats_sent_total',
  'heartbeats_received_total',
  'probes_total',
  'probes_failed_total',
  'suspicions_total',
  'refuted_suspicions_total',
  'deaths_total',
  'raft_sent_total',
  'raft_received_total',
  'raft_dropped_total',
  'raft_rejected_total',
  'work_served_total',
  'work_rejected_total'
] as const

export type CounterName = typeof COUNTER_NAMES[number]

export class Counters {
  private readonly values = new Map<CounterName, number>(COUNTER_NAMES.map(n => [n, 0]))

  inc (name: CounterName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by)
  }

  set (name: CounterName, value: number): void {
    this.values.set(name, value)
  }

  get (name: CounterName): number {
    return this.values.get(name) ?? 0
  }

  entries (): Array<[CounterName, number]> {
    return [...this.values.entries()]
  }
}
