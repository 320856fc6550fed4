// The web dashboard in a real browser: Debian's chromium driven by puppeteer-core (which
// never downloads a browser of its own). A 3-node cluster, node 1's dashboard opened with a
// token link (`meshnode token --url`): every node shows, a job submitted through the API
// fills its progress bar to 100 % from the event stream without a reload, its page opens,
// a failing task shows as an incident, and at phone width (375 px) nothing scrolls
// sideways. Then node 3 is SIGKILLed: its death shows in the incidents panel (the incident
// log's record, /v1/incidents), and a click opens its summary and timeline, at phone width too. Screenshots go to test-output/dashboard/.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { converged, down, kill, statusAll, up, waitUntil, type ClusterState } from '../../scripts/cluster-lib.js'
import { ROOT, meshnode, tempDir } from './helpers.js'

// What the functions run inside the page see (this file compiles without the DOM library).
declare const document: any
declare const window: any
declare const location: any
declare const sessionStorage: any
declare const MutationObserver: any
type HTMLElement = any

const CHROMIUM = '/usr/bin/chromium'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
const BASE_PORT = 28100
const HTTP_BASE = 28110
const OUT = join(ROOT, 'test-output', 'dashboard')
const TASKS = 200

if (!HAVE_CHROMIUM) console.warn(`test/e2e/dashboard.test.ts: SKIPPED: ${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)`)

describe.skipIf(!HAVE_CHROMIUM)(`the dashboard in headless Chromium (${CHROMIUM})`, () => {
  let dir: string
  let state: ClusterState
  let browser: Browser
  let page: Page
  let token: string
  let url: string
  const base = `http://127.0.0.1:${HTTP_BASE}`
  const pageErrors: string[] = []

  beforeAll(async () => {
    dir = tempDir('dashboard')
    mkdirSync(OUT, { recursive: true })
    state = await up(3, { dir, basePort: BASE_PORT, httpBasePort: HTTP_BASE, extraArgs: ['--log-level', 'warn', '--concurrency', '2'] })
    await waitUntil(async () => {
      const all = await statusAll(dir)
      return converged(all) && all.every(s => (s.status?.leader ?? '') !== '')
    }, 60_000, 'three nodes that agree on a leader', 200)
    const r = await meshnode(['token', '--data-dir', state.nodes[0]!.dataDir, '--url'])
    expect(r.code, r.stderr).toBe(0)
    url = r.stdout.trim()
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${HTTP_BASE}/#token=mn1\\.`))
    token = url.slice(url.indexOf('#token=') + '#token='.length)
    browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] })
    page = await browser.newPage()
    page.on('pageerror', err => { pageErrors.push(String(err)) })
    await page.setViewport({ width: 1280, height: 900 })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (dir != null) await down(dir)
  })

  it('serves the page with a content security policy and immutable, compressed assets', async () => {
    const res = await fetch(`${base}/`, { headers: { 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/)
    const html = await res.text()
    const asset = /assets\/app-[A-Z0-9]+\.js/.exec(html)?.[0]
    expect(asset).toBeDefined()
    const js = await fetch(`${base}/${asset!}`)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(js.headers.get('cache-control')).toMatch(/immutable/)
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|<style/)
  })

  it('shows every node, follows a job to 100 % without reloading, and opens its page', async () => {
    await page.goto(url, { waitUntil: 'load' })
    // The token moves from the address bar into sessionStorage.
    expect(new URL(page.url()).hash).toBe('#/')
    expect(await page.evaluate(() => sessionStorage.getItem('meshnode.token'))).toBe(token)
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open', { timeout: 20_000 })
    await page.waitForFunction(() => document.querySelectorAll('#nodes li[data-state="alive"]').length === 3 && document.querySelectorAll('#meshmap g.node').length === 3, { timeout: 20_000 })
    const names = await page.$$eval('#nodes .n-name', els => els.map((e: any) => e.firstChild?.textContent))
    expect(names.sort()).toEqual(['node-1', 'node-2', 'node-3'])
    expect(await page.$$eval('#meshmap .leader-ring', els => els.length)).toBe(1)
    expect(await page.$eval('#auth', (e: any) => e.textContent)).toMatch(/^token/)

    // From here on the page must not reload: a marker on window survives only without one,
    // and every width the job's bar takes is recorded in the page as it changes.
    await page.evaluate(() => {
      (window as any).__sameDocument = true
      ;(window as any).__widths = []
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('#jobs li[data-job-id] .bar')) (window as any).__widths.push(Number(el.getAttribute('aria-valuenow') ?? -1))
      }).observe(document.getElementById('jobs')!, { subtree: true, childList: true, attributes: true })
    })
    const tasks = Array.from({ length: TASKS }, () => ({ type: 'sleep', payload: { ms: 40 } }))
    const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'browser test', tasks }) })
    expect(res.status).toBe(201)
    const job = await res.json() as { id: string, tasks: number }
    expect(job.tasks).toBe(TASKS)

    const row = `#jobs li[data-job-id="${job.id}"]`
    await page.waitForSelector(row, { timeout: 20_000 })
    await page.waitForFunction((sel: string) => document.querySelector(sel)?.getAttribute('data-state') === 'completed', { timeout: 60_000 }, row)
    const bar = await page.$eval(`${row} .bar`, (el: any) => ({ now: el.getAttribute('aria-valuenow'), width: parseFloat((el.firstElementChild as HTMLElement).style.width) }))
    expect(bar).toEqual({ now: '100', width: 100 })
    expect(await page.$eval(row, el => [el.getAttribute('data-done'), el.getAttribute('data-total')])).toEqual([String(TASKS), String(TASKS)])
    const widths = await page.evaluate(() => (window as any).__widths as number[])
    // The bar moved through the stream's progress events, not in one jump at the end.
    expect(widths.some(w => w > 0 && w < 100)).toBe(true)
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true)

    // The API agrees with the page.
    const detail = await (await fetch(`${base}/v1/jobs/${job.id}`)).json() as { state: string, done: number, byNode: Record<string, number> }
    expect(detail.state).toBe('completed')
    expect(detail.done).toBe(TASKS)
    await page.screenshot({ path: join(OUT, 'overview-desktop.png'), fullPage: true })

    // The job's page: counts, per-node breakdown, the task tree and results.
    await page.click(`${row} a.j-id`)
    await page.waitForFunction(() => location.hash.startsWith('#/job/') && document.getElementById('job-state')?.textContent === 'completed' && document.querySelectorAll('.tree li').length > 0, { timeout: 20_000 })
    const perNode = await page.$$eval('.bynode li', els => els.length)
    expect(perNode).toBe(Object.keys(detail.byNode).length)
    expect(await page.$eval('.facts', (el: any) => el.textContent)).toContain(`tasks${TASKS}`)
    expect(await page.$$eval('.results li', els => els.length)).toBeGreaterThan(0)
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true)
    await page.screenshot({ path: join(OUT, 'job-desktop.png') })

    // Phone width, in a tab of its own emulating a phone (changing the emulation reloads a
    // page): nothing wider than the screen, on the job's page and on the overview.
    const phone = await browser.newPage()
    phone.on('pageerror', err => { pageErrors.push(String(err)) })
    await phone.setViewport({ width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    await phone.goto(`${base}/#/job/${job.id}`, { waitUntil: 'load' })
    await phone.waitForFunction(() => document.getElementById('job-state')?.textContent === 'completed' && document.querySelectorAll('.tree li').length > 0 && document.querySelectorAll('#nodes li').length === 3, { timeout: 20_000 })
    const widthOf = async (): Promise<number[]> => await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth])
    let [scroll, client] = await widthOf()
    expect(client).toBe(375)
    expect(scroll).toBeLessThanOrEqual(client!)
    await phone.screenshot({ path: join(OUT, 'job-phone.png') })
    await phone.click('a[href="#/"]')
    await phone.waitForFunction(() => !document.getElementById('overview').hidden && document.documentElement.dataset.live === 'open')
    ;[scroll, client] = await widthOf()
    expect(scroll).toBeLessThanOrEqual(client!)
    await phone.screenshot({ path: join(OUT, 'overview-phone.png'), fullPage: true })
    await phone.close()
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true)
    expect(pageErrors).toEqual([])
  }, 150_000)

  it('shows a failing task in the incidents panel and on its job\'s page', async () => {
    await page.goto(`${base}/#/`, { waitUntil: 'load' })
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open', { timeout: 20_000 })
    const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ tasks: [{ type: 'sleep', payload: { ms: -1 }, attempts: 1 }, { type: 'echo', payload: 1 }] }) })
    expect(res.status).toBe(201)
    const job = await res.json() as { id: string }
    await page.waitForFunction((id: string) => [...document.querySelectorAll('#incidents li')].some((li: any) => li.textContent!.includes(`${id}/`) && li.textContent!.includes('task.failed')), { timeout: 30_000 }, job.id)
    await page.waitForFunction((id: string) => ['failed', 'completed'].includes(document.querySelector(`#jobs li[data-job-id="${id}"]`)?.getAttribute('data-state') ?? ''), { timeout: 30_000 }, job.id)
    await page.goto(`${base}/#/job/${job.id}`, { waitUntil: 'load' })
    await page.waitForFunction(() => document.querySelectorAll('.failures li').length === 1, { timeout: 20_000 })
    expect(await page.$eval('.failures li', el => el.textContent)).toMatch(/sleep needs/)
    await page.screenshot({ path: join(OUT, 'job-failed-desktop.png') })
  }, 90_000)

  it('shows a node\'s death in the incidents panel, and its summary and timeline a click away', async () => {
    await page.goto(`${base}/#/`, { waitUntil: 'load' })
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open', { timeout: 20_000 })
    await kill(3, 'SIGKILL', dir)
    const item = '#incident-log li[data-incident-id^="dead-"]'
    await page.waitForFunction((sel: string) => [...document.querySelectorAll(sel)].some((li: any) => li.textContent!.includes('node-3 declared dead')), { timeout: 60_000 }, item)
    const id = await page.$eval(item, (el: any) => el.getAttribute('data-incident-id'))
    await page.screenshot({ path: join(OUT, 'incidents-desktop.png'), fullPage: true })
    await page.click(`${item} a`)
    await page.waitForFunction(() => location.hash.startsWith('#/incident/') && (document.querySelector('.incident-summary')?.textContent ?? '').includes('node-3 was declared dead'), { timeout: 20_000 })
    expect(await page.$$eval('.timeline li', els => els.length)).toBeGreaterThan(0)
    expect(await page.$eval('.timeline', (el: any) => el.textContent)).toContain('node-3 declared dead')
    await page.screenshot({ path: join(OUT, 'incident-desktop.png') })

    const phone = await browser.newPage()
    phone.on('pageerror', err => { pageErrors.push(String(err)) })
    await phone.setViewport({ width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    await phone.goto(`${base}/#/incident/${encodeURIComponent(id)}`, { waitUntil: 'load' })
    await phone.waitForFunction(() => (document.querySelector('.incident-summary')?.textContent ?? '').includes('node-3'), { timeout: 20_000 })
    const [scroll, client] = await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth])
    expect(scroll).toBeLessThanOrEqual(client!)
    await phone.screenshot({ path: join(OUT, 'incident-phone.png'), fullPage: true })
    await phone.close()
    expect(pageErrors).toEqual([])
  }, 120_000)
})
