// BullMQ's stalled-job recovery, measured the way bench/recovery measures meshnode's: a worker
// process is SIGKILLed while it runs a job, and the time until another, live worker process
// starts that job again. BullMQ learns of a dead worker only through its job lock expiring
// (lockDuration, renewed every lockDuration/2) and the stalled checks of a live worker (every
// stalledInterval): one check marks the active jobs, a lock renewal unmarks a live one, and
// the next check moves a still-marked job without a lock back to wait. With the defaults
// (30 s each) that is 30–75 s.
//
// Each setting gets its own queues (one job each) and two worker processes: A starts first and
// takes every job, then B starts, then A is SIGKILLed. The settings run side by side in the
// same run, on one private redis-server (no persistence). One SIGKILL per setting yields one
// sample per queue. B starts its queues' Workers staggered over one stalledInterval, so their
// stalled checks (each Worker runs its own, from its start) meet the kill at spread-out
// phases: the samples span what a user sees, not one lucky or unlucky phase.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { freePortBlock } from './ports.js'
import { sleep } from './stats.js'

const WORKER_JS = fileURLToPath(new URL('./bullmq-stalled-worker.js', import.meta.url))

export interface StalledSetting {
  label: string
  stalledInterval?: number
  lockDuration?: number
}

export interface StalledResult {
  label: string
  kills: number
  /** SIGKILL of the worker → the job starts in the other worker, per queue that recovered. */
  recoveredMs: number[]
}

export const DEFAULT_SETTINGS: StalledSetting[] = [
  { label: 'defaults (stalledInterval 30 s, lockDuration 30 s)' },
  { label: 'tuned (stalledInterval 1 s, lockDuration 1 s)', stalledInterval: 1_000, lockDuration: 1_000 }
]

interface Line { t: number, queue: string, job: string, pid: number }

function lines (file: string): Line[] {
  return readFileSync(file, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Line)
}

async function spawnWorker (cfg: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_JS, JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', code => reject(new Error(`bullmq-stalled-worker exited with ${code}`)))
  })
  return child
}

export async function measureStalled (o: { basePort: number, queuesPerSetting?: number, settings?: StalledSetting[], timeoutMs?: number, log?: (s: string) => void }): Promise<StalledResult[]> {
  const settings = o.settings ?? DEFAULT_SETTINGS
  const perSetting = o.queuesPerSetting ?? 5
  const dir = mkdtempSync(join(tmpdir(), 'meshnode-bench-stalled-'))
  const file = join(dir, 'starts.jsonl')
  writeFileSync(file, '')
  const port = await freePortBlock(o.basePort, 1)
  const out = openSync(join(dir, 'redis.log'), 'a')
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', out, out] })
  closeSync(out)
  const children: ChildProcess[] = [redis]
  const queues: Queue[] = []
  try {
    await sleep(300)
    const results = await Promise.all(settings.map(async (s, si) => {
      const names = Array.from({ length: perSetting }, (_, q) => `stalled-${si}-${q}`)
      const cfg = { port, queues: names, log: file, ms: 600_000, stalledInterval: s.stalledInterval, lockDuration: s.lockDuration }
      const a = await spawnWorker(cfg)
      children.push(a)
      for (const name of names) {
        const q = new Queue(name, { connection: { host: '127.0.0.1', port } })
        queues.push(q)
        await q.add('job', {}, { removeOnComplete: true })
      }
      // Every job running in A, then B up (its own stalled checks running), then A killed.
      const mine = (): Line[] => lines(file).filter(l => names.includes(l.queue))
      for (let i = 0; mine().length < names.length; i++) {
        if (i > 200) throw new Error(`${s.label}: A did not take every job`)
        await sleep(50)
      }
      const b = await spawnWorker({ ...cfg, staggerMs: Math.round((s.stalledInterval ?? 30_000) / names.length) })
      children.push(b)
      await sleep(1_000)
      const t0 = Date.now()
      a.kill('SIGKILL')
      o.log?.(`BullMQ ${s.label}: worker SIGKILLed mid-job on ${names.length} queues; waiting for the jobs to start again elsewhere`)
      const deadline = t0 + (o.timeoutMs ?? 120_000)
      let again: Line[] = []
      while (Date.now() < deadline) {
        again = mine().filter(l => l.pid === b.pid && l.t >= t0)
        if (again.length === names.length) break
        await sleep(100)
      }
      const recoveredMs = again.map(l => l.t - t0).sort((x, y) => x - y)
      o.log?.(`BullMQ ${s.label}: restarted after ${recoveredMs.map(v => `${v} ms`).join(', ')}`)
      return { label: s.label, kills: names.length, recoveredMs }
    }))
    return results
  } finally {
    for (const q of queues) await q.close().catch(() => {})
    for (const c of children) if (c.exitCode == null && c.signalCode == null) c.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}
