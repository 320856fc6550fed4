// Finding a block of free loopback TCP ports, so a benchmark cluster does not collide with a
// cluster someone else is running on the same machine (the e2e tests, scripts/cluster).
import { createServer } from 'node:net'

async function portFree (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

/** The first base >= start, stepping by `step`, whose ports base..base+count-1 are all free. */
export async function freePortBlock (start: number, count: number, step = 20, tries = 50): Promise<number> {
  for (let i = 0, base = start; i < tries; i++, base += step) {
    let ok = true
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p)
    if (ok) return base
  }
  throw new Error(`no block of ${count} free ports from ${start} (stepping ${step}, ${tries} tries)`)
}
