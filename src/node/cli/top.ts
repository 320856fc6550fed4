// `meshnode top`: the mesh live, from a node's HTTP API and event stream (src/node/top). In a
// terminal it is a full-screen view (ink, loaded only here); with stdout not a terminal it
// prints one line per event and a status line every 10 s (`--json`: one JSON event per
// line); `--once` prints one snapshot and exits. SIGTERM/SIGINT stop it with exit 0.
import type { Command } from 'commander'
import { defaultDataDir } from '../config.js'
import { httpClient, HTTP_ENV, type HttpClient } from '../client/http.js'
import { TopFeed } from '../top/feed.js'
import type { TopEvent } from '../top/model.js'
import { eventLine, isoSeconds, snapshot, statusLine } from '../top/plain.js'
import type { LiveSource } from '../top/view.js'

/** Non-TTY mode prints a status line this often. */
export const STATUS_LINE_MS = 10_000
/** Non-TTY mode prints a job's progress at most this often (its final state always). */
const PROGRESS_LINE_MS = 1_000
/** The terminal view redraws at most this often for events, and every second for clocks. */
const REDRAW_MS = 200

export interface TopIO {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** stdout and stdin are a terminal: the full-screen view. */
  tty: boolean
  /** Stopping: SIGTERM and SIGINT by default (tests pass their own). */
  onStop?: (stop: () => void) => () => void
  /** Where output goes, to notice a closed pipe (`meshnode top | head`). */
  stdout?: NodeJS.WritableStream
}

interface TopOptions {
  dataDir?: string
  url?: string
  key?: string
  token?: string
  once?: boolean
  json?: boolean
}

export function addTopCommand (program: Command, io: TopIO): void {
  program.command('top')
    .description('watch the mesh live: nodes, leader, load, running jobs, tasks/s, recent failures (q quits)')
    .option('--data-dir <dir>', 'watch the node running with this data dir (default ~/.meshnode), signed in as its operator')
    .option('--url <url>', `watch the node serving HTTP at this address, e.g. http://127.0.0.1:7421 (env ${HTTP_ENV.url})`)
    .option('--key <file>', 'sign a token with this client key (meshnode keygen --client; env MESHNODE_KEY_FILE)')
    .option('--token <token>', `send this bearer token (meshnode token; env ${HTTP_ENV.token})`)
    .option('--once', 'print one snapshot as plain text and exit')
    .option('--json', 'print JSON: one event per line (with --once: the snapshot)')
    .action(async (opts: TopOptions) => {
      const client = await httpClient(opts, io.env, defaultDataDir(io.env))
      if (opts.once === true) {
        const feed = new TopFeed(client)
        await feed.snapshot()
        await feed.backlog()
        const v = feed.model.view(Date.now())
        io.out(opts.json === true ? JSON.stringify(v, null, 2) + '\n' : snapshot(v, id => feed.model.nameOf(id)))
        return
      }
      const stop = new AbortController()
      const unhook = (io.onStop ?? onSignals)(() => { stop.abort() })
      const closed = (): void => { stop.abort() }
      io.stdout?.on('error', closed)
      try {
        if (io.tty && opts.json !== true) await terminal(client, io, stop)
        else await lines(client, io, opts.json === true, stop.signal)
      } finally {
        unhook()
        io.stdout?.off('error', closed)
      }
    })
}

/** Plain lines: each event, and a status line every STATUS_LINE_MS; or JSON events. */
async function lines (client: HttpClient, io: TopIO, json: boolean, signal: AbortSignal): Promise<void> {
  const lastProgress = new Map<string, number>()
  const feed: TopFeed = new TopFeed(client, {
    onEvent: (e: TopEvent) => {
      if (json) {
        io.out(JSON.stringify(e) + '\n')
        return
      }
      if (e.event === 'job.progress') {
        const id = String(e.data.id)
        const now = Date.now()
        if (e.data.state === 'running' && now - (lastProgress.get(id) ?? 0) < PROGRESS_LINE_MS) return
        lastProgress.set(id, now)
        if (e.data.state !== 'running') lastProgress.delete(id)
      }
      io.out(eventLine(e, id => feed.model.nameOf(id)) + '\n')
    },
    onConnection: (state, reason) => {
      if (!json) io.out(`${isoSeconds(Date.now())} ${state === 'live' ? 'connected again' : `reconnecting… (${reason})`}\n`)
    }
  })
  await feed.snapshot()
  if (!json) io.out(statusLine(feed.model.view(Date.now()), Date.now()) + '\n')
  const timer = json ? undefined : setInterval(() => { io.out(statusLine(feed.model.view(Date.now()), Date.now()) + '\n') }, STATUS_LINE_MS)
  try {
    await feed.run(signal)
  } finally {
    clearInterval(timer)
  }
}

/** The full-screen view until q, Ctrl-C or a signal. */
async function terminal (client: HttpClient, io: TopIO, stop: AbortController): Promise<void> {
  const listeners = new Set<() => void>()
  let pending: NodeJS.Timeout | undefined
  const notify = (): void => {
    pending ??= setTimeout(() => {
      pending = undefined
      for (const fn of listeners) fn()
    }, REDRAW_MS)
  }
  const feed = new TopFeed(client, { onChange: notify })
  await feed.snapshot()
  const source: LiveSource = {
    view: now => feed.model.view(now),
    subscribe: fn => {
      listeners.add(fn)
      return () => { listeners.delete(fn) }
    }
  }
  // Loaded here, so that no other command pays for ink and React at start-up.
  const { runTerminal } = await (await import('../top/view.js')).loadView()
  const clock = setInterval(notify, 1_000)
  const following = feed.run(stop.signal)
  // The alternate screen, as top and less use: the shell's screen comes back on quit.
  io.out('\x1b[?1049h\x1b[H')
  const ui = runTerminal(source, () => { stop.abort() }, stop.signal)
  try {
    await Promise.race([ui, following])
  } finally {
    stop.abort()
    await ui.catch(() => {})
    clearInterval(clock)
    clearTimeout(pending)
    io.out('\x1b[?1049l')
  }
  await following
}

function onSignals (stop: () => void): () => void {
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  return () => {
    process.off('SIGTERM', stop)
    process.off('SIGINT', stop)
  }
}
