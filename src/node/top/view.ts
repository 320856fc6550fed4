// `meshnode top` in a terminal: an ink (React for terminals) view of the model's view(),
// redrawn when the model changes. Every line is laid out here to the terminal's width and
// cut, never wrapped, and the sections share the terminal's height, so 80×24 shows it all.
// Keys only (works over SSH, no mouse): q or Ctrl-C quits, j/k or the arrows scroll the
// jobs. Loaded lazily by the top command: no other command pays for ink and React.
//
// ink and react are imported dynamically, here only, and stay outside the CLI bundle
// (scripts/bundle.mjs): a bundled static import would be hoisted to the bundle's top and
// load them — and yoga's WebAssembly — for every command.
import type { ReactElement } from 'react'
import type { TopView } from './model.js'
import { ago, doneOfTotal, headerLine, jobShare, percent, perSec } from './plain.js'

/** One piece of a line, optionally coloured. */
interface Seg { text: string, color?: string, bold?: boolean, inverse?: boolean, dim?: boolean }
type Line = Seg[]

/** Lines the view needs besides the sections' rows: header, rates, three titles, keys. */
const FIXED_LINES = 6

const STATE_COLOR: Record<string, string> = { alive: 'green', suspect: 'yellow', dead: 'red', left: 'gray' }

/** `text` cut or padded to exactly `width` characters (an ellipsis marks a cut). */
export function fit (text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text.padEnd(width)
  return width === 1 ? '…' : text.slice(0, width - 1) + '…'
}

/** Rows per section for a terminal `rows` high: failures and nodes get their share, jobs the rest. */
export function layout (v: Pick<TopView, 'nodes' | 'jobs' | 'failures'>, rows: number): { nodes: number, jobs: number, failures: number } {
  const avail = Math.max(3, rows - FIXED_LINES)
  const failures = Math.min(Math.max(1, v.failures.length), Math.max(1, Math.floor(avail * 0.25)))
  const nodes = Math.min(Math.max(1, v.nodes.length), Math.max(1, Math.floor((avail - failures) * 0.5)))
  const jobs = Math.max(1, avail - failures - nodes)
  return { nodes, jobs, failures }
}

/** `line` cut to `width` characters in all. */
export function clip (line: Line, width: number): Line {
  const out: Line = []
  let left = width
  for (const seg of line) {
    if (left <= 0) break
    const text = seg.text.length <= left ? seg.text : left === 1 ? '…' : seg.text.slice(0, left - 1) + '…'
    out.push({ ...seg, text })
    left -= text.length
  }
  return out
}

/** Every line of the screen for a terminal `columns` × `rows`, jobs scrolled by `scroll`. */
export function screenLines (v: TopView, columns: number, rows: number, scroll: number, now: number): Line[] {
  const w = Math.max(20, columns)
  const nameOf = (id: string): string => v.nodes.find(n => n.peerId === id)?.name || `…${id.slice(-6)}`
  const lines: Line[] = []
  const size = layout(v, rows)
  // A space: ink gives an empty text no height.
  const blank = (): void => { lines.push([{ text: ' ' }]) }

  lines.push([{ text: fit(` ${headerLine(v)}`, w), inverse: true }])

  const conn: Seg = v.connection === 'live'
    ? { text: 'live', color: 'green' }
    : v.connection === 'reconnecting' ? { text: `reconnecting…${v.reason !== '' ? ` (${v.reason})` : ''}`, color: 'yellow', bold: true } : { text: 'connecting…', color: 'yellow' }
  lines.push([{ text: ` ${perSec(v.tasksPerSec)} tasks/s · ${perSec(v.failuresPerSec)} failed/s · jobs done ${v.jobsFinished.completed}, failed ${v.jobsFinished.failed} · ` }, conn])

  // Nodes: the capabilities column takes what the others leave.
  const cap = Math.max(6, w - 60)
  lines.push([{ text: ` ${fit('NODE', 16)} ${fit('STATE', 9)} ${fit('ROLE', 10)} ${fit('LOAD', 5)} ${fit('CAPABILITIES', cap)} LAST SEEN`, bold: true }])
  const nodeRows = v.nodes.length > size.nodes ? size.nodes - 1 : size.nodes
  for (const n of v.nodes.slice(0, nodeRows)) {
    const role = n.peerId === v.leader ? 'leader' : n.role
    const state = n.dead && n.state !== 'dead' ? 'dead*' : n.draining ? 'draining' : n.state
    lines.push([
      { text: ` ${fit(`${n.name === '' ? n.peerId.slice(-6) : n.name}${n.self ? '*' : ''}`, 16)} ` },
      { text: fit(state, 9), color: STATE_COLOR[n.dead ? 'dead' : n.state] ?? 'white' },
      { text: ' ' },
      { text: fit(role, 10), ...(role === 'leader' ? { bold: true, color: 'cyan' } : {}) },
      { text: ` ${fit(n.state === 'alive' || n.state === 'suspect' ? percent(n.load) : '-', 5)} ${fit(n.capabilities.join(',') || '-', cap)} ${n.self ? 'self' : ago(n.lastSeenNowMs)}` }
    ])
  }
  if (v.nodes.length > size.nodes) lines.push([{ text: `  … ${v.nodes.length - nodeRows} more`, dim: true }])
  for (let i = Math.min(v.nodes.length, size.nodes); i < size.nodes; i++) blank()

  // Running jobs, newest first: ID NAME HOME bar % done/total; the bar takes what is left.
  const top = Math.max(0, Math.min(scroll, v.jobs.length - size.jobs))
  const more = v.jobs.length > size.jobs ? ` (${top + 1}-${Math.min(v.jobs.length, top + size.jobs)} of ${v.jobs.length}, j/k scroll)` : ''
  lines.push([{ text: ` RUNNING JOBS ${v.jobs.length}${more}`, bold: true }])
  if (v.jobs.length === 0) lines.push([{ text: '  none', dim: true }])
  const barWidth = Math.max(8, w - 66)
  for (const j of v.jobs.slice(top, top + size.jobs)) {
    const share = jobShare(j)
    const filled = share == null ? 0 : Math.round(share * barWidth)
    lines.push([
      { text: ` ${fit(j.id, 26)} ${fit(j.name ?? '', 8)} ${fit(nameOf(j.home), 10)} ` },
      { text: '█'.repeat(filled), color: j.failed > 0 ? 'yellow' : 'green' },
      { text: (share == null ? '·' : '░').repeat(barWidth - filled), dim: true },
      { text: ` ${fit(share == null ? '?' : percent(share), 4)} ${doneOfTotal(j)}${j.failed > 0 ? ` (${j.failed} failed)` : ''}` }
    ])
  }
  for (let i = Math.max(1, Math.min(size.jobs, v.jobs.length - top)); i < size.jobs; i++) blank()

  // Recent failures, newest first.
  lines.push([{ text: ` RECENT FAILURES ${v.failures.length}`, bold: true }])
  if (v.failures.length === 0) lines.push([{ text: '  none', dim: true }])
  for (const f of v.failures.slice(0, size.failures)) {
    lines.push([{ text: ` ${fit(`${ago(Math.max(0, now - f.at))} ago`, 10)} `, dim: true }, { text: fit(f.type, 13), color: 'red' }, { text: ` ${f.text}` }])
  }
  for (let i = Math.max(1, Math.min(size.failures, v.failures.length)); i < size.failures; i++) blank()

  lines.push([{ text: ' q quit · j/k ↑/↓ scroll jobs', dim: true }])
  return lines.slice(0, Math.max(1, rows)).map(l => clip(l, w))
}

export interface ScreenProps {
  view: TopView
  columns: number
  rows: number
  scroll: number
  now: number
}

export interface LiveSource {
  /** The current view. */
  view: (now: number) => TopView
  /** Calls `fn` whenever the view may have changed; returns the unsubscribe. */
  subscribe: (fn: () => void) => () => void
}

export interface TerminalView {
  /** The whole screen for a given size: pure, so tests render it with `renderToString`. */
  Screen: (p: ScreenProps) => ReactElement
  renderToString: (node: ReactElement, options?: { columns?: number }) => string
  /**
   * Runs the view until q/Ctrl-C (then `onQuit` runs and this resolves) or `signal` aborts.
   * Ink puts stdin in raw mode and restores it on exit.
   */
  runTerminal: (source: LiveSource, onQuit: () => void, signal: AbortSignal) => Promise<void>
}

/** Loads ink and React, and returns the view made with them. */
export async function loadView (): Promise<TerminalView> {
  const [{ createElement: h, useEffect, useState }, { Box, Text, render, renderToString, useApp, useInput, useStdout }] = await Promise.all([import('react'), import('ink')])

  const renderLine = (line: Line, key: number): ReactElement =>
    h(Text, { key, wrap: 'truncate' }, ...line.map((s, i) => h(Text, { key: i, ...(s.color != null ? { color: s.color } : {}), bold: s.bold === true, inverse: s.inverse === true, dimColor: s.dim === true }, s.text)))

  const Screen = (p: ScreenProps): ReactElement =>
    h(Box, { flexDirection: 'column', width: p.columns }, ...screenLines(p.view, p.columns, p.rows, p.scroll, p.now).map(renderLine))

  function App ({ source, onQuit }: { source: LiveSource, onQuit: () => void }): ReactElement {
    const { stdout } = useStdout()
    const { exit } = useApp()
    const [, setTick] = useState(0)
    const [scroll, setScroll] = useState(0)
    const [size, setSize] = useState({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 })
    useEffect(() => source.subscribe(() => { setTick(t => t + 1) }), [source])
    useEffect(() => {
      const resize = (): void => { setSize({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 }) }
      stdout.on('resize', resize)
      return () => { stdout.off('resize', resize) }
    }, [stdout])
    useInput((input, key) => {
      const by = (n: number): void => {
        const last = Math.max(0, source.view(Date.now()).jobs.length - 1)
        setScroll(s => Math.max(0, Math.min(last, s + n)))
      }
      if (input === 'q' || input === 'Q' || (key.ctrl && input === 'c')) {
        onQuit()
        exit()
      } else if (input === 'j' || key.downArrow) {
        by(1)
      } else if (input === 'k' || key.upArrow) {
        by(-1)
      } else if (key.pageDown || input === ' ') {
        by(10)
      } else if (key.pageUp) {
        by(-10)
      }
    })
    const now = Date.now()
    const view = source.view(now)
    // One line short of the height: a terminal that scrolls when its last row is written
    // would push the header off.
    return h(Screen, { view, columns: size.columns, rows: size.rows - 1, scroll: Math.max(0, Math.min(scroll, view.jobs.length - 1)), now })
  }

  async function runTerminal (source: LiveSource, onQuit: () => void, signal: AbortSignal): Promise<void> {
    const app = render(h(App, { source, onQuit }), { exitOnCtrlC: false, patchConsole: true, maxFps: 10 })
    const abort = (): void => { app.unmount() }
    signal.addEventListener('abort', abort, { once: true })
    try {
      await app.waitUntilExit()
    } finally {
      signal.removeEventListener('abort', abort)
      app.cleanup()
    }
  }

  return { Screen, renderToString, runTerminal }
}
