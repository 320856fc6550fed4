// A workflow's DAG as plain-text lines for terminals (the CLI redraws them while a workflow
// runs): one line per step in topological order, with a state glyph, its needs, matrix
// progress and a short error. Pure: it formats what the engine's view() returns.

import type { StepState, StepView } from './run.js'

const GLYPH: Readonly<Record<StepState, string>> = {
  pending: '·',
  running: '▶',
  'waiting-approval': '?',
  success: '✓',
  failure: '✗',
  skipped: '-'
}

/** ANSI colours per state (only with `color`). */
const COLOR: Readonly<Record<StepState, string>> = {
  pending: '\x1b[2m',
  running: '\x1b[33m',
  'waiting-approval': '\x1b[35m',
  success: '\x1b[32m',
  failure: '\x1b[31m',
  skipped: '\x1b[2m'
}
const RESET = '\x1b[0m'

/** Longest error shown on a line; the full text is in the step's record. */
const ERROR_CHARS = 60

/** Plain-text lines for a live DAG view: one line per step, in topological order. */
export function renderView (steps: StepView[], opts: { color?: boolean } = {}): string[] {
  const order = topological(steps)
  const width = Math.max(4, ...steps.map(s => s.name.length))
  const stateWidth = Math.max(...steps.map(s => label(s).length))
  return order.map(s => {
    const parts = [GLYPH[s.state], s.name.padEnd(width), label(s).padEnd(stateWidth)]
    parts.push((s.elements != null ? `${s.elements.done}/${s.elements.total}` : '').padEnd(9))
    parts.push(s.needs.length > 0 ? `← ${s.needs.join(', ')}` : '')
    let line = parts.join(' ').trimEnd()
    if (s.error != null && s.error !== '') line += `  ${shorten(s.error.replace(/\s+/g, ' '), ERROR_CHARS)}`
    return opts.color === true ? `${COLOR[s.state]}${line}${RESET}` : line
  })
}

function label (s: StepView): string {
  return s.reused === true ? `${s.state} (reused)` : s.state
}

function shorten (s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s
}

/** Kahn's algorithm, always taking the earliest defined step that is ready; a cycle (never from a valid workflow) keeps definition order. */
function topological (steps: StepView[]): StepView[] {
  const index = new Map(steps.map((s, i) => [s.name, i]))
  const indegree = steps.map(s => s.needs.filter(n => index.has(n)).length)
  const children: number[][] = steps.map(() => [])
  steps.forEach((s, i) => { for (const n of s.needs) { const j = index.get(n); if (j != null) children[j]!.push(i) } })
  const done = new Array<boolean>(steps.length).fill(false)
  const out: StepView[] = []
  for (;;) {
    let next = -1
    for (let i = 0; i < steps.length; i++) if (!done[i] && indegree[i] === 0) { next = i; break }
    if (next < 0) break
    done[next] = true
    out.push(steps[next]!)
    for (const c of children[next]!) indegree[c]!--
  }
  steps.forEach((s, i) => { if (!done[i]) out.push(s) })
  return out
}
