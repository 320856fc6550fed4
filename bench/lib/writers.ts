// Closed-loop writers for the consensus benches: `concurrency` writers, each issuing one write
// after the other until the deadline, counting the writes that committed and their latencies.
// bench/failover (meshnode's control log) and bench/proposals (meshnode beside etcd) share it,
// so both systems are driven by the same loop.

export interface WriterRun {
  committed: number
  failed: number
  /** Latency of each committed write, ms (issue → answer). */
  latencies: number[]
  /** Wall time the writers ran, ms. */
  elapsedMs: number
}

/**
 * Runs `concurrency` writers for `seconds`. `write(writer, i)` issues writer's i-th write and
 * resolves true when it committed, false (or throws) when it did not.
 */
export async function runWriters (concurrency: number, seconds: number, write: (writer: number, i: number) => Promise<boolean>): Promise<WriterRun> {
  const start = performance.now()
  const deadline = start + seconds * 1_000
  const run: WriterRun = { committed: 0, failed: 0, latencies: [], elapsedMs: 0 }
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t = performance.now()
      const ok = await write(w, i).catch(() => false)
      if (ok) {
        run.committed++
        run.latencies.push(performance.now() - t)
      } else run.failed++
    }
  }))
  run.elapsedMs = performance.now() - start
  return run
}
