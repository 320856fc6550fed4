// What one LevelDB batch costs the main thread: the synchronous part of classic-level's
// batch() (abstract-level's checks and encodings, then the addon's batch_do: the ops copied
// into a WriteBatch and the write queued on libuv's thread pool) and the whole process's CPU a
// batch, for 1 and 10 puts of 200 bytes, without and with sync. A Raft Ready costs every node
// at least one synced batch and the audit log of a config write another (BENCHMARKS.md, issue
// 14, stop 46). Prints figures; never fails on them.
//   node dist/bench/micro/leveldb-batch.js [batches]
import { ClassicLevel } from 'classic-level'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const batches = Number(process.argv[2] ?? 2_000)
const dir = mkdtempSync(join(tmpdir(), 'meshnode-leveldb-batch-'))
const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
try {
  await db.open()
  const value = new Uint8Array(200)
  for (const sync of [false, true]) {
    for (const puts of [1, 10]) {
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      let callNs = 0n
      for (let i = 0; i < batches; i++) {
        const ops = Array.from({ length: puts }, (_, k) => ({ type: 'put' as const, key: `k${sync ? 's' : 'a'}${puts}-${i}-${k}`, value }))
        const s = process.hrtime.bigint()
        const written = db.batch(ops, { sync })
        callNs += process.hrtime.bigint() - s
        await written
      }
      const cpu = process.cpuUsage(cpu0)
      console.log(`sync ${String(sync).padEnd(5)} ${String(puts).padStart(2)} put(s): batch() call ${(Number(callNs) / batches / 1000).toFixed(1)} µs, process CPU ${((cpu.user + cpu.system) / batches).toFixed(1)} µs, wall ${((performance.now() - t0) * 1000 / batches).toFixed(0)} µs a batch`)
    }
  }
} finally {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
}
