// The meshnode dashboard: one page served by every node. It reads the node's /v1 API once
// on load (and once when a job's page opens), then follows /v1/events: every change after
// that arrives as a server-sent event and is applied in place — no polling, no reloads.
// Loads travel in heartbeats, not events, so the member list is read again (at most once a
// second) when an event says membership changed or a job finished.
// Routes are in the hash: #/ (the overview), #/job/ID and #/incident/ID.
import { adoptTokenFromUrl, api, follow, storeToken, storedToken } from './lib/api.js'
import { applyEvent, applyJob, applyMembers, createModel, FINAL, latencySamples, progressOf } from './lib/model.js'
import { chartData, minutesOf, statsMinutes } from './lib/series.js'
import { buildTree, flatten } from './lib/tree.js'
import { drawMeshMap } from './lib/meshmap.js'
import { createChart } from './lib/charts.js'
import { clear, fmtMs, fmtTime, h, progressBar, setBar, shortId } from './lib/dom.js'

const $ = (id) => document.getElementById(id)
const model = createModel()
const ui = { rows: new Map(), stats: null, whoami: null, route: null, charts: null }

// ----- small helpers ------------------------------------------------------------------------

function nodeName (peerId) {
  if (!peerId) return '?'
  const m = model.members.get(peerId)
  return m?.name ? m.name : shortId(peerId)
}

function banner (text) {
  const b = $('banner')
  b.textContent = text ?? ''
  b.hidden = !text
}

/** Runs `fn` at most once per `ms`, trailing (the last call always gets its turn). */
function throttle (fn, ms) {
  let timer = null
  let lastRun = 0
  return () => {
    if (timer != null) return
    const wait = Math.max(0, lastRun + ms - Date.now())
    timer = setTimeout(() => { timer = null; lastRun = Date.now(); fn() }, wait)
  }
}

// ----- nodes and the map --------------------------------------------------------------------

async function loadMembers () {
  try {
    const res = await api('v1/members')
    const names = () => [...model.members.values()].map(n => `${n.peerId}=${n.name}`).sort().join()
    const before = names()
    applyMembers(model, res, Date.now())
    renderNodes()
    // Names for the peer ids shown before the member list came (or when a name changed).
    if (names() !== before) {
      for (const id of ui.rows.keys()) renderJobRow(id)
      renderJobPageSoon()
    }
  } catch (err) {
    if (err.status === 403) banner('This node lets anonymous callers from other hosts read only its status: open the dashboard with a token (meshnode token --url).')
    else banner(`Cannot read the member list: ${err.message}`)
  }
}
const refreshMembers = throttle(loadMembers, 1_000)

function renderNodes () {
  drawMeshMap($('meshmap'), model)
  $('node-name').textContent = model.name ? `· ${model.name}` : ''
  const list = clear($('nodes'))
  const nodes = [...model.members.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.peerId.localeCompare(b.peerId))
  const alive = nodes.filter(n => n.state === 'alive').length
  $('node-count').textContent = `${alive}/${nodes.length} alive`
  for (const n of nodes) {
    const role = n.peerId === model.leader ? 'leader' : n.role
    list.append(h('li', { class: `node-row ${n.state}`, dataset: { peer: n.peerId, state: n.state } },
      h('span', { class: `dot ${n.state}`, title: n.state }),
      h('span', { class: 'n-name' }, n.name || shortId(n.peerId), n.self ? h('span', { class: 'tag' }, 'this node') : null, n.peerId === model.leader ? h('span', { class: 'tag leader' }, 'leader') : null),
      h('span', { class: 'n-meta' },
        h('span', {}, n.state, n.draining ? ' (draining)' : ''),
        role && role !== 'leader' ? h('span', {}, role) : null,
        h('span', {}, `load ${Number(n.load) || 0}`),
        h('span', { class: 'seen', dataset: n.self ? {} : { seenAt: String((n.seenAt ?? Date.now()) - (n.lastSeenMs ?? 0)) } }, seenText(n))),
      h('span', { class: 'n-caps' }, (n.capabilities ?? []).length > 0 ? n.capabilities.join(', ') : 'no extra capabilities'),
      h('code', { class: 'n-id', title: n.peerId }, n.peerId)))
  }
}

function seenText (n) {
  if (n.self) return 'here'
  const at = (n.seenAt ?? Date.now()) - (n.lastSeenMs ?? 0)
  return `seen ${fmtMs(Math.max(0, Date.now() - at))} ago`
}

// ----- the job list -------------------------------------------------------------------------

async function loadJobs () {
  try {
    const res = await api('v1/jobs?limit=100')
    for (const j of res.jobs ?? []) applyJob(model, j)
    for (const id of model.jobs.keys()) renderJobRow(id)
    renderCharts()
  } catch (err) {
    if (err.status !== 403) banner(`Cannot list jobs: ${err.message}`)
  }
}

function jobCounts (job) {
  if (job.total == null) return job.state === 'running' ? `running on ${nodeName(job.home)}` : job.state
  return `${job.done}/${job.total}${job.failed > 0 ? ` · ${job.failed} failed` : ''}${job.cancelled > 0 ? ` · ${job.cancelled} cancelled` : ''}`
}

function renderJobRow (id) {
  const job = model.jobs.get(id)
  let row = ui.rows.get(id)
  if (job == null) {
    row?.el.remove()
    ui.rows.delete(id)
    return
  }
  const frac = progressOf(job)
  const failFrac = job.total ? job.failed / job.total : 0
  if (row == null) {
    const label = h('span', { class: 'j-name' })
    const link = h('a', { href: `#/job/${encodeURIComponent(id)}`, class: 'j-id' }, label, h('code', {}, id))
    const state = h('span', { class: 'state' })
    const counts = h('span', { class: 'j-counts' })
    const bar = progressBar(frac, failFrac, `job ${id}`)
    const el = h('li', { class: 'job-row', dataset: { jobId: id } }, h('div', { class: 'j-head' }, link, state), bar, counts)
    row = { el, state, counts, bar, label }
    ui.rows.set(id, row)
    // Newest first: ids start with their submit time.
    const list = $('jobs')
    const after = [...list.children].find(c => c.dataset.jobId < id)
    list.insertBefore(el, after ?? null)
    while (list.children.length > 200) {
      const last = list.lastElementChild
      ui.rows.delete(last.dataset.jobId)
      last.remove()
    }
  }
  row.label.textContent = job.name ? `${job.name} ` : ''
  row.state.textContent = job.state
  row.state.className = `state ${job.state}`
  row.counts.textContent = `${jobCounts(job)} · home ${nodeName(job.home)}`
  setBar(row.bar, frac, failFrac)
  // Attributes last: tests and the benchmark watch data-state flip to a final state.
  row.el.dataset.done = String(job.done ?? 0)
  row.el.dataset.total = String(job.total ?? '')
  row.el.dataset.state = job.state
  $('jobs-empty').hidden = model.jobs.size > 0
  $('job-count').textContent = `${[...model.jobs.values()].filter(j => !FINAL.has(j.state)).length} running`
}

// ----- incidents ----------------------------------------------------------------------------

function incidentText (i) {
  const d = i.data
  switch (i.type) {
    case 'node.dead': return `${nodeName(d.peerId)} declared dead; its work is re-run elsewhere. ${d.reason ? `Why: ${d.reason}` : ''}`
    case 'node.alive': return `${nodeName(d.peerId)} is back (incarnation ${d.incarnation})`
    case 'member.dead': return `${d.name || nodeName(d.peerId)} stopped answering: ${d.reason || 'missed heartbeats'}`
    case 'job.rehomed': return `job ${d.id} re-homed from ${nodeName(d.from)} to ${nodeName(d.to)} (generation ${d.epoch})`
    case 'task.failed': return `task ${d.taskId} (${d.type}) failed on ${nodeName(d.node)}: ${d.error}`
    default: return i.type
  }
}

function renderIncidents () {
  const list = clear($('incidents'))
  for (const i of model.incidents.slice(0, 50)) {
    const jobId = i.data.jobId ?? (i.type === 'job.rehomed' ? i.data.id : null)
    list.append(h('li', { class: `incident ${i.type.replace('.', '-')}` },
      h('time', {}, fmtTime(i.at)), ' ',
      h('span', { class: 'kind' }, i.type), ' ',
      jobId ? h('a', { href: `#/job/${encodeURIComponent(jobId)}` }, incidentText(i)) : incidentText(i)))
  }
  $('incidents-empty').hidden = model.incidents.length > 0
}
const renderIncidentsSoon = throttle(renderIncidents, 250)

// ----- the incident log (/v1/incidents: records grouped by the node) ---------------------------

const incidentLog = { list: [], open: null, error: null }

async function loadIncidentLog () {
  try {
    const res = await api('v1/incidents?limit=50')
    incidentLog.list = res.incidents ?? []
    incidentLog.error = null
  } catch (err) {
    incidentLog.error = err.message
  }
  renderIncidentLog()
  if (ui.route === 'incident' && incidentLog.open != null) loadIncident(incidentLog.open.id)
}
const loadIncidentLogSoon = throttle(loadIncidentLog, 1_000)

function renderIncidentLog () {
  const list = clear($('incident-log'))
  for (const r of incidentLog.list) {
    list.append(h('li', { class: `incident-rec ${r.state}`, 'data-incident-id': r.id },
      h('time', {}, fmtTime(r.opened)), ' ',
      h('span', { class: `cause ${r.cause}` }, r.cause), ' ',
      h('a', { href: `#/incident/${encodeURIComponent(r.id)}` }, r.title), ' ',
      h('span', { class: `istate ${r.state}` }, r.state)))
  }
  $('incident-log-empty').hidden = incidentLog.list.length > 0
  if (incidentLog.error) $('incident-log-empty').textContent = `Cannot read the incident log: ${incidentLog.error}`
  $('incident-count').textContent = `${incidentLog.list.filter(r => r.state === 'open').length} open`
}

async function loadIncident (id) {
  try {
    const r = await api(`v1/incidents/${encodeURIComponent(id)}`)
    if (ui.route !== 'incident') return
    incidentLog.open = r
    incidentLog.openError = null
  } catch (err) {
    incidentLog.open = { id }
    incidentLog.openError = err.message
  }
  renderIncidentPage()
}

function renderIncidentPage () {
  const root = clear($('incidentpage'))
  const r = incidentLog.open
  root.append(h('p', {}, h('a', { href: '#/' }, '← overview')))
  if (r == null) return
  root.append(h('h2', { class: 'incident-title' }, r.title ?? r.id, ' ', r.state ? h('span', { class: `istate ${r.state}` }, r.state) : ''))
  if (incidentLog.openError) {
    root.append(h('p', { class: 'error' }, incidentLog.openError))
    return
  }
  root.append(section('Summary', h('p', { class: 'incident-summary' }, r.summary)))
  const dl = h('dl', { class: 'facts' })
  const fact = (k, ...val) => dl.append(h('div', {}, h('dt', {}, k), h('dd', {}, ...val)))
  fact('id', h('code', {}, r.id))
  fact('cause', r.cause)
  fact('opened', fmtTime(r.opened))
  if (r.closed != null) fact('closed', fmtTime(r.closed))
  fact('nodes', (r.nodes ?? []).map(p => r.names?.[p] ?? nodeName(p)).join(', ') || '–')
  fact('jobs', ...((r.jobs ?? []).length === 0 ? ['–'] : r.jobs.flatMap((j, i) => [i > 0 ? ', ' : '', h('a', { href: `#/job/${encodeURIComponent(j)}` }, j)])))
  root.append(section('Facts', dl))
  const tl = h('ol', { class: 'timeline' })
  for (const t of r.timeline ?? []) tl.append(h('li', {}, h('time', {}, fmtTime(t.at)), ' ', t.text))
  root.append(section('Timeline', tl))
}

// ----- charts -------------------------------------------------------------------------------

function renderCharts () {
  if (ui.charts == null) return
  const now = Date.now()
  const observed = minutesOf(latencySamples(model, now))
  ui.charts.latency.update(chartData(now, ui.stats?.latency, observed))
  if (ui.stats != null) ui.charts.duration.update(chartData(now, ui.stats.duration, null))
}
const renderChartsSoon = throttle(renderCharts, 1_000)

async function loadStats () {
  const note = $('stats-note')
  try {
    const res = await fetch('v1/stats?since=1h', { headers: storedToken() ? { authorization: `Bearer ${storedToken()}` } : {}, cache: 'no-store' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    const stats = statsMinutes(await res.json())
    ui.stats = stats
    $('duration').hidden = false
    note.textContent = `Mesh-wide history from /v1/stats (${stats.latency.size + stats.duration.size > 0 ? 'per minute' : 'no samples yet'}), then what this page sees live.`
  } catch {
    ui.stats = null
    $('duration').hidden = true
    note.textContent = 'Job latency as this page sees jobs finish (kept for an hour in the page). Task run times need a node with /v1/stats.'
  }
  renderCharts()
}

// ----- the job page -------------------------------------------------------------------------

const page = { id: null, view: null, results: [], next: null, failures: new Map(), loading: false }

async function openJob (id) {
  page.id = id
  page.view = null
  page.results = []
  page.next = null
  page.failures = new Map(model.incidents.filter(i => i.type === 'task.failed' && i.data.jobId === id).map(i => [i.data.taskId, { taskId: i.data.taskId, error: i.data.error, node: i.data.node }]))
  renderJobPage()
  await reloadJob(id)
}

async function reloadJob (id) {
  try {
    const [view, res] = await Promise.all([api(`v1/jobs/${encodeURIComponent(id)}`), api(`v1/jobs/${encodeURIComponent(id)}/results?limit=100`)])
    if (page.id !== id) return
    page.view = view
    page.results = res.results ?? []
    page.next = res.next ?? null
    applyJob(model, view)
    renderJobRow(id)
    page.error = null
  } catch (err) {
    page.error = err.message
  }
  if (page.id === id) renderJobPage()
}

async function moreResults () {
  if (page.next == null || page.id == null) return
  const id = page.id
  const res = await api(`v1/jobs/${encodeURIComponent(id)}/results?limit=100&after=${encodeURIComponent(page.next)}`)
  if (page.id !== id) return
  page.results.push(...(res.results ?? []))
  page.next = res.next ?? null
  renderJobPage()
}

function section (title, ...body) {
  return h('section', { class: 'card' }, h('h3', {}, title), ...body)
}

function renderJobPage () {
  const root = clear($('jobpage'))
  const id = page.id
  const job = model.jobs.get(id) ?? { id, state: 'loading', done: 0, failed: 0, cancelled: 0 }
  const v = { ...page.view, ...job }
  root.append(h('p', {}, h('a', { href: '#/' }, '← all jobs')))
  root.append(h('h2', { class: 'job-title' }, v.name ? `${v.name} ` : 'Job ', h('code', {}, id), ' ', h('span', { class: `state ${v.state}`, id: 'job-state' }, v.state)))
  if (page.error) root.append(h('p', { class: 'error' }, page.error))
  const bar = progressBar(progressOf(job), job.total ? job.failed / job.total : 0, 'job progress')
  bar.id = 'job-bar'
  root.append(bar)
  const running = page.view?.running ?? []
  const dl = h('dl', { class: 'facts' })
  const fact = (k, val) => dl.append(h('div', {}, h('dt', {}, k), h('dd', {}, val)))
  fact('tasks', v.total ?? '–')
  fact('done', v.done ?? 0)
  fact('failed', v.failed ?? 0)
  fact('cancelled', v.cancelled ?? 0)
  fact('running', FINAL.has(v.state) ? 0 : running.length)
  fact('home', nodeName(v.home))
  fact('submitted', fmtTime(v.createdAt))
  fact('finished', v.finishedAt ? `${fmtTime(v.finishedAt)} (${fmtMs(v.finishedAt - v.createdAt)})` : '–')
  if (v.epoch) fact('generation', `${v.epoch} (re-homed from ${(v.homes ?? []).map(nodeName).join(', ')})`)
  if (v.replicas?.length) fact('replicas', v.replicas.map(nodeName).join(', '))
  root.append(dl)
  if (v.error) root.append(h('p', { class: 'error' }, `error: ${v.error}`))
  if (!FINAL.has(v.state) && v.state !== 'loading') {
    root.append(h('p', {}, h('button', { type: 'button', id: 'cancel', onclick: () => cancelJob(id) }, 'Cancel job'), ' ', h('span', { id: 'cancel-out', class: 'out' })))
  }

  const grid = h('div', { class: 'grid' })
  // Per node.
  const byNode = Object.entries(page.view?.byNode ?? {}).sort((a, b) => b[1] - a[1])
  const total = byNode.reduce((n, [, c]) => n + c, 0)
  grid.append(section('Per node', byNode.length === 0
    ? h('p', { class: 'muted' }, 'No task outcomes recorded yet.')
    : h('ul', { class: 'bynode' }, byNode.map(([peer, c]) => h('li', {}, h('span', { class: 'n-name' }, nodeName(peer)), progressBar(total ? c / total : 0, 0, nodeName(peer)), h('span', { class: 'muted' }, `${c} tasks`))))))
  // Running.
  grid.append(section(`Running tasks (${FINAL.has(v.state) ? 0 : running.length})`, running.length === 0 || FINAL.has(v.state)
    ? h('p', { class: 'muted' }, 'None right now (as of the last load).')
    : h('ul', { class: 'plain' }, running.slice(0, 100).map(t => h('li', {}, h('code', {}, t.taskId), ` ${t.type ?? ''} on ${nodeName(t.node)}`, t.startedAt ? ` · ${fmtMs(Date.now() - t.startedAt)}` : '', t.progress != null ? ` · ${typeof t.progress === 'number' ? `${Math.round(t.progress * 100)} %` : JSON.stringify(t.progress)}` : '')))))
  // Failures: from this page of results and from the stream.
  const failures = new Map(page.failures)
  for (const r of page.results) if (!r.ok) failures.set(r.taskId, r)
  grid.append(section(`Failures (${failures.size}${v.failed > failures.size ? ` shown of ${v.failed}` : ''})`, failures.size === 0
    ? h('p', { class: 'muted' }, 'None.')
    : h('ul', { class: 'plain failures' }, [...failures.values()].slice(0, 100).map(r => h('li', {}, h('code', {}, r.taskId), ` on ${nodeName(r.node)}${r.cancelled ? ' (cancelled)' : ''}: `, h('span', { class: 'error' }, r.error ?? 'failed'))))))
  root.append(grid)

  // The task tree from this page of results.
  const forest = buildTree(page.results)
  const rows = flatten(forest, 500)
  const lower = h('div', { class: 'grid' })
  const deepest = rows.reduce((d, r) => Math.max(d, r.depth), 0)
  lower.append(section(`Task tree (${page.results.length} outcome${page.results.length === 1 ? '' : 's'} loaded${rows.length > 0 ? `, ${forest.length} root${forest.length === 1 ? '' : 's'}, depth ${deepest + 1}` : ''})`,
    rows.length === 0 ? h('p', { class: 'muted' }, 'No outcomes yet.') : h('ul', { class: 'tree scroll' }, rows.map(({ depth, node }) => {
      const r = node.item
      return h('li', { class: `t-row ${r == null ? 'placeholder' : r.ok ? 'ok' : 'failed'}`, dataset: { depth: String(Math.min(depth, 12)) } },
        h('code', {}, node.seg), ' ',
        r == null ? h('span', { class: 'muted' }, '(not in this page)') : h('span', {}, r.ok ? '✓' : '✗', ` ${nodeName(r.node)}`, r.attempts > 1 ? ` · ${r.attempts} attempts` : ''))
    }))))
  // Results.
  lower.append(section(`Results (${page.results.length}${page.next != null ? '+' : ''})`, page.results.length === 0 ? h('p', { class: 'muted' }, 'None yet.') : h('ul', { class: 'plain results scroll' }, page.results.map(r => h('li', { class: r.ok ? 'ok' : 'failed' },
    h('code', {}, r.taskId.slice(r.taskId.indexOf('/'))), ` ${nodeName(r.node)} ${fmtTime(r.finishedAt)} `,
    h('code', { class: 'val' }, r.ok ? JSON.stringify(r.result) : `error: ${r.error}`)))),
  page.next != null ? h('p', {}, h('button', { type: 'button', onclick: () => { moreResults().catch(err => banner(err.message)) } }, 'More results')) : null))
  root.append(lower)
}

/** Live updates of an open job page: counts in place; a reload once the job is final. */
function updateJobPage (id) {
  if (ui.route !== 'job' || page.id !== id) return
  const job = model.jobs.get(id)
  if (job == null) return
  const bar = $('job-bar')
  if (bar != null) setBar(bar, progressOf(job), job.total ? job.failed / job.total : 0)
  const state = $('job-state')
  if (state != null && state.textContent !== job.state) {
    if (FINAL.has(job.state)) reloadJob(id)
    else renderJobPage()
    return
  }
  renderJobPageSoon()
}
const renderJobPageSoon = throttle(() => { if (ui.route === 'job') renderJobPage() }, 500)

async function cancelJob (id) {
  const out = $('cancel-out')
  if (!storedToken()) {
    out.textContent = 'Cancelling needs a token (meshnode token --url).'
    return
  }
  try {
    await api(`v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
    out.textContent = 'cancel requested'
  } catch (err) {
    out.textContent = err.message
  }
}

// ----- submit -------------------------------------------------------------------------------

function setupSubmit () {
  const form = $('submit')
  const out = $('submit-out')
  form.addEventListener('change', () => {
    const raw = form.elements.mode.value === 'raw'
    $('mode-tasks').hidden = raw
    $('mode-raw').hidden = !raw
  })
  $('forget').addEventListener('click', () => {
    storeToken(null)
    authChanged()
  })
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    out.className = 'out'
    const pasted = form.elements.token.value.trim()
    if (pasted !== '') {
      storeToken(pasted)
      form.elements.token.value = ''
      await authChanged()
    }
    if (!storedToken()) {
      out.textContent = 'Submitting needs a token: run `meshnode token --url` on the node\'s host and open its link, or paste `meshnode token` here.'
      out.className = 'out error'
      return
    }
    let body
    try {
      if (form.elements.mode.value === 'raw') {
        body = JSON.parse(form.elements.raw.value)
      } else {
        const text = form.elements.payload.value.trim()
        const payload = text === '' ? undefined : JSON.parse(text)
        const n = Number(form.elements.count.value)
        const task = { type: form.elements.type.value.trim(), ...(payload !== undefined ? { payload } : {}) }
        body = n === 1 ? task : { tasks: Array.from({ length: n }, () => task) }
      }
    } catch (err) {
      out.textContent = `not JSON: ${err.message}`
      out.className = 'out error'
      return
    }
    out.textContent = 'submitting…'
    try {
      const res = await api('v1/jobs', { method: 'POST', body })
      const jobs = res.jobs ?? [res]
      clear(out).append('submitted ', ...jobs.flatMap((j, i) => [i > 0 ? ', ' : '', h('a', { href: `#/job/${encodeURIComponent(j.id)}` }, j.id)]), ` (${jobs.reduce((n, j) => n + (j.tasks ?? 0), 0)} tasks)`)
      for (const j of jobs) {
        if (!model.jobs.has(j.id)) {
          applyJob(model, { id: j.id, home: j.home, state: 'running', total: j.tasks, done: 0, failed: 0 })
          renderJobRow(j.id)
        }
      }
    } catch (err) {
      out.textContent = `${err.code}: ${err.message}`
      out.className = 'out error'
    }
  })
}

async function authChanged () {
  const pill = $('auth')
  try {
    ui.whoami = await api('v1/whoami')
  } catch (err) {
    if (err.status === 401 && storedToken()) {
      storeToken(null)
      banner(`The token was refused (${err.message}); reading without one. Get a new link with: meshnode token --url`)
      ui.whoami = await api('v1/whoami').catch(() => null)
    }
  }
  const w = ui.whoami
  const rights = w?.rights ?? []
  const token = storedToken()
  pill.textContent = token ? `token: ${w?.role ?? w?.kind ?? 'key'}` : rights.includes('read') ? 'read-only' : 'no access'
  pill.title = `acting as ${w?.peerId ?? '?'}; rights: ${rights.join(', ') || 'none'}`
  pill.className = `pill ${token ? 'ok' : 'muted'}`
  $('token-row').hidden = !!token
  $('forget').hidden = !token
  ui.stream?.restart()
}

// ----- the event stream ---------------------------------------------------------------------

function onEvent (ev) {
  const changed = applyEvent(model, ev)
  if (changed.job != null) {
    renderJobRow(changed.job)
    updateJobPage(changed.job)
    if (FINAL.has(model.jobs.get(changed.job)?.state)) renderChartsSoon()
  }
  if (changed.incident) {
    renderIncidentsSoon()
    if (ev.event === 'task.failed' && ev.data.jobId === page.id) {
      page.failures.set(ev.data.taskId, { taskId: ev.data.taskId, error: ev.data.error, node: ev.data.node })
      renderJobPageSoon()
    }
  }
  if (changed.members) {
    renderNodes()
    refreshMembers()
  }
  if (ev.event === 'incident.opened' || ev.event === 'incident.updated') loadIncidentLogSoon()
}

function setLive (state) {
  const pill = $('live')
  pill.textContent = state === 'open' ? 'live' : state
  pill.className = `pill ${state === 'open' ? 'ok' : 'warn'}`
  document.documentElement.dataset.live = state
  // After a gap, what the stream could not replay is read again once.
  if (state === 'open' && ui.wasDown) {
    ui.wasDown = false
    loadMembers()
    loadJobs()
    loadIncidentLog()
  }
  if (state !== 'open') ui.wasDown = true
}

// ----- routing and start --------------------------------------------------------------------

function route () {
  const m = /^#\/job\/(.+)$/.exec(location.hash)
  const inc = /^#\/incident\/(.+)$/.exec(location.hash)
  $('incidentpage').hidden = inc == null
  if (inc != null) {
    ui.route = 'incident'
    page.id = null
    $('overview').hidden = true
    $('jobpage').hidden = true
    const id = decodeURIComponent(inc[1])
    if (incidentLog.open?.id !== id) {
      incidentLog.open = { id }
      renderIncidentPage()
    }
    loadIncident(id)
    window.scrollTo(0, 0)
  } else if (m != null) {
    ui.route = 'job'
    $('overview').hidden = true
    $('jobpage').hidden = false
    const id = decodeURIComponent(m[1])
    if (page.id !== id) openJob(id)
    window.scrollTo(0, 0)
  } else {
    ui.route = 'overview'
    page.id = null
    $('overview').hidden = false
    $('jobpage').hidden = true
  }
}

async function start () {
  adoptTokenFromUrl()
  setupSubmit()
  ui.charts = { latency: createChart($('chart-latency')), duration: createChart($('chart-duration')) }
  window.addEventListener('hashchange', route)
  route()
  ui.wasDown = false
  await authChanged()
  if (ui.whoami != null && !(ui.whoami.rights ?? []).includes('read')) {
    banner('This node lets anonymous callers from other hosts read only its status: open the dashboard with a token (meshnode token --url on the node\'s host, or meshnode token --key FILE with a granted client key).')
    setLive('closed')
    return
  }
  ui.stream = follow({
    onEvent,
    onState: setLive,
    onTokenRefused: () => banner('The node refused this page\'s token on the event stream; following without it.')
  })
  api('v1/status').then(s => { model.mesh = s.mesh; $('mesh-name').textContent = s.mesh ? `“${s.mesh}”` : '' }).catch(() => {})
  await Promise.all([loadMembers(), loadJobs(), loadStats(), loadIncidentLog()])
  // Only the "seen … ago" texts tick; nothing is fetched.
  setInterval(() => {
    for (const el of document.querySelectorAll('.seen[data-seen-at]')) {
      const at = Number(el.dataset.seenAt)
      el.textContent = `seen ${fmtMs(Math.max(0, Date.now() - at))} ago`
    }
    renderChartsSoon()
  }, 5_000)
}

start().catch(err => banner(`The dashboard failed to start: ${err.message}`))
