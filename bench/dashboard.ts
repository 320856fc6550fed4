// bench/dashboard: how fast the web dashboard shows a finished job, and what a cold load of
// it weighs. A 3-node cluster; node 1's dashboard open in headless Chromium (Debian's
// /usr/bin/chromium, driven by puppeteer-core). Prints figures; never fails on a time.
//
//   node dist/bench/dashboard.js [--jobs 30] [--tasks 20] [--task-ms 10]
//
// (a) Completion → shown: jobs are submitted one after another through the HTTP API, half
// to node 1 (the page's node: it is their home, and its stream carries their job.progress,
// sent the moment the home records completion) and half to node 2 (homed elsewhere: the page
// learns from the control log's job.completed, after the registry commits it). In the page a
// MutationObserver stamps Date.now() when a job's row turns final, and again at the next
// animation frame (painted). The job's finishedAt is its home's clock at completion; both
// clocks are this machine's. shown − finishedAt is the latency.
// (b) Page weight: a fresh browser context (empty cache) loads the dashboard; every
// response's bytes on the wire (CDP Network encodedDataLength) until the page is idle,
// including the API reads on load and the first seconds of the event stream.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import puppeteer, { type CDPSession, type Page } from 'puppeteer-core'
import { BIN, NODE_FLAGS, converged, down, statusAll, up, waitUntil } from '../scripts/cluster-lib.js'
import { formatMachine, machineInfo } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, num, quantile, sleep, sum } from './lib/stats.js'

// The functions run inside the page see the DOM; this file compiles without its library.
declare const document: any
declare const window: any
declare const MutationObserver: any
declare const requestAnimationFrame: any

const CHROMIUM = '/usr/bin/chromium'

const program = new Command('bench/dashboard')
  .option('--jobs <n>', 'jobs, one after another (half homed on the page\'s node, half on another)', '30')
  .option('--tasks <n>', 'sleep tasks per job', '20')
  .option('--task-ms <ms>', 'duration of each task', '10')
  .parse()
const opts = program.opts<{ jobs: string, tasks: string, taskMs: string }>()

async function cli (args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, [...NODE_FLAGS, BIN, ...args], (err, stdout, stderr) => { err != null ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout.trim()) })
  })
}

async function main (): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent: apt-get install chromium`)
  console.log(formatMachine(machineInfo()))
  const dir = join(tmpdir(), `meshnode-bench-dashboard-${process.pid}`)
  const basePort = await freePortBlock(28200, 3)
  const httpBase = await freePortBlock(28300, 3)
  const state = await up(3, { dir, basePort, httpBasePort: httpBase, extraArgs: ['--log-level', 'warn'] })
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] })
  try {
    await waitUntil(async () => {
      const all = await statusAll(dir)
      return converged(all) && all.every(s => (s.status?.leader ?? '') !== '')
    }, 60_000, 'a converged cluster with a leader', 200)
    const url = await cli(['token', '--data-dir', state.nodes[0]!.dataDir, '--url'])
    const token = url.slice(url.indexOf('#token=') + 7)

    // ----- (b) page weight, cold ---------------------------------------------------------
    const weight = await pageWeight(browser, url)

    // ----- (a) completion → shown --------------------------------------------------------
    const page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 900 })
    await page.goto(url, { waitUntil: 'load' })
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open', { timeout: 30_000 })
    await page.evaluate(() => {
      window.__final = {}
      new MutationObserver((records: any[]) => {
        const t = Date.now()
        for (const r of records) {
          const el = r.target
          const id = el?.dataset?.jobId
          if (id == null || !['completed', 'failed', 'cancelled'].includes(el.dataset.state) || window.__final[id] != null) continue
          const entry = { mutation: t, painted: 0 }
          window.__final[id] = entry
          requestAnimationFrame(() => { entry.painted = Date.now() })
        }
      }).observe(document.getElementById('jobs'), { subtree: true, attributes: true, attributeFilter: ['data-state'] })
    })
    const rows: Record<'here' | 'elsewhere', { mutation: number[], painted: number[] }> = { here: { mutation: [], painted: [] }, elsewhere: { mutation: [], painted: [] } }
    const tasks = Array.from({ length: Number(opts.tasks) }, () => ({ type: 'sleep', payload: { ms: Number(opts.taskMs) } }))
    for (let j = 0; j < Number(opts.jobs); j++) {
      const where = j % 2 === 0 ? 'here' : 'elsewhere'
      const api = `http://127.0.0.1:${httpBase + (where === 'here' ? 0 : 1)}`
      const res = await fetch(`${api}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ tasks }) })
      if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`)
      const { id } = await res.json() as { id: string }
      await page.waitForFunction((jobId: string) => window.__final[jobId]?.painted > 0, { timeout: 120_000, polling: 50 }, id)
      const shown = await page.evaluate((jobId: string) => window.__final[jobId], id) as { mutation: number, painted: number }
      const job = await (await fetch(`${api}/v1/jobs/${id}`)).json() as { state: string, finishedAt: number }
      if (job.state !== 'completed') throw new Error(`job ${id} ended ${job.state}`)
      rows[where].mutation.push(shown.mutation - job.finishedAt)
      rows[where].painted.push(shown.painted - job.finishedAt)
      await sleep(100)
    }
    const line = (name: string, xs: number[]): string[] => [name, String(xs.length), num(quantile(xs, 0.5)), num(quantile(xs, 0.95)), num(max(xs))]
    console.log(`\n(a) job finishedAt → the dashboard shows it final: ${opts.jobs} jobs × ${opts.tasks} sleep tasks of ${opts.taskMs} ms, 3 nodes, one after another\n`)
    console.log(markdownTable(['jobs', 'count', 'p50 ms', 'p95 ms', 'max ms'], [
      line('homed on the page\'s node: row turns final (MutationObserver)', rows.here.mutation),
      line('homed on the page\'s node: next frame painted', rows.here.painted),
      line('homed on another node: row turns final', rows.elsewhere.mutation),
      line('homed on another node: next frame painted', rows.elsewhere.painted),
      line('all: next frame painted', [...rows.here.painted, ...rows.elsewhere.painted])
    ]))

    console.log('\n(b) a cold load of the dashboard (empty cache), bytes on the wire\n')
    console.log(markdownTable(['what', 'requests', 'bytes', 'encoding'], weight.rows.map(r => [r.what, String(r.count), num(r.bytes), r.encoding])))
    console.log(`\ntotal: ${num(weight.total)} bytes (${(weight.total / 1024).toFixed(1)} KiB) in ${weight.requests} responses; static files alone ${num(weight.staticBytes)} bytes`)
  } finally {
    await browser.close()
    await down(dir)
  }
}

interface Weight { total: number, staticBytes: number, requests: number, rows: Array<{ what: string, count: number, bytes: number, encoding: string }> }

/** A cold load in a fresh context: every response's encoded bytes until the page is idle. */
async function pageWeight (browser: import('puppeteer-core').Browser, url: string): Promise<Weight> {
  const context = await browser.createBrowserContext()
  const page: Page = await context.newPage()
  await page.setViewport({ width: 1280, height: 900 })
  const cdp: CDPSession = await page.createCDPSession()
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  const reqs = new Map<string, { url: string, type: string, bytes: number, encoding: string }>()
  cdp.on('Network.responseReceived', (e: any) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]))
    reqs.set(e.requestId, { url: e.response.url, type: e.type, bytes: 0, encoding: headers['content-encoding'] ?? 'identity' })
  })
  // Streams (the event stream) never finish: count their chunks as they arrive.
  cdp.on('Network.dataReceived', (e: any) => { const r = reqs.get(e.requestId); if (r != null) r.bytes += e.encodedDataLength })
  // Chromium reports an EventSource's data as messages, not as received chunks: count each
  // message's framing as sent (id, event and data lines).
  cdp.on('Network.eventSourceMessageReceived', (e: any) => { const r = reqs.get(e.requestId); if (r != null) r.bytes += Buffer.byteLength(`id: ${e.eventId}\nevent: ${e.eventName}\ndata: ${e.data}\n\n`) })
  cdp.on('Network.loadingFinished', (e: any) => { const r = reqs.get(e.requestId); if (r != null) r.bytes = Math.max(r.bytes, e.encodedDataLength) })
  await page.goto(url, { waitUntil: 'networkidle2' })
  await page.waitForFunction(() => document.documentElement.dataset.live === 'open', { timeout: 30_000 })
  await sleep(2_000)
  const all = [...reqs.values()]
  await context.close()
  const kind = (r: { url: string }): string => {
    const path = new URL(r.url).pathname
    if (path === '/' || path === '/index.html') return 'index.html'
    if (path.startsWith('/assets/app-')) return 'app script (with uPlot)'
    if (path.startsWith('/assets/style-')) return 'stylesheet'
    if (path === '/favicon.svg') return 'icon'
    if (path === '/v1/events') return 'event stream (first 2 s)'
    if (path.startsWith('/v1/')) return 'API reads on load'
    return path
  }
  const groups = new Map<string, { what: string, count: number, bytes: number, encoding: Set<string> }>()
  for (const r of all) {
    const what = kind(r)
    const g = groups.get(what) ?? { what, count: 0, bytes: 0, encoding: new Set<string>() }
    g.count++
    g.bytes += r.bytes
    g.encoding.add(r.encoding)
    groups.set(what, g)
  }
  const rows = [...groups.values()].map(g => ({ what: g.what, count: g.count, bytes: g.bytes, encoding: [...g.encoding].join(', ') }))
  const staticBytes = sum(rows.filter(r => ['index.html', 'app script (with uPlot)', 'stylesheet', 'icon'].includes(r.what)).map(r => r.bytes))
  return { total: sum(all.map(r => r.bytes)), staticBytes, requests: all.length, rows }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
