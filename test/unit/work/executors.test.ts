import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { JOB_LIMITS } from '../../../src/wire/constants.js'
import { WorkError } from '../../../src/work/errors.js'
import { BUILTIN_HANDLERS, FailedWithResult, loadHandlers, ON_ABORT, runCommand, type TaskContext } from '../../../src/work/executors.js'

interface FakeContext extends TaskContext {
  controller: AbortController
  spawned: Array<{ type: string, payload: unknown }>
}

/** A context that records spawns instead of creating tasks. */
function context (): FakeContext {
  const controller = new AbortController()
  const spawned: FakeContext['spawned'] = []
  return {
    taskId: 'J/0',
    jobId: 'J',
    attempt: 1,
    node: 'self',
    signal: controller.signal,
    controller,
    spawned,
    spawn: (type, payload) => {
      spawned.push({ type, payload })
      return `J/0.${spawned.length - 1}`
    },
    progress: () => {}
  }
}

describe('built-in handlers', () => {
  it('echo returns its payload', () => {
    const payload = { a: [1, 2], b: 'x' }
    expect(BUILTIN_HANDLERS.echo!(payload, context())).toBe(payload)
  })

  it('sleep resolves with how long it slept', async () => {
    await expect(BUILTIN_HANDLERS.sleep!({ ms: 1 }, context())).resolves.toEqual({ slept: 1 })
    // No payload means no wait.
    await expect(BUILTIN_HANDLERS.sleep!(undefined, context())).resolves.toEqual({ slept: 0 })
  })

  it('sleep rejects as soon as its signal aborts', async () => {
    const ctx = context()
    // Far longer than any test timeout: only the abort can end it.
    const p = BUILTIN_HANDLERS.sleep!({ ms: 3_600_000 }, ctx) as Promise<unknown>
    ctx.controller.abort()
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('sleep in an engine context is ended by the abort callback, without asking for a signal', async () => {
    let abort!: (reason: Error) => void
    const ctx: TaskContext = {
      ...context(),
      get signal (): AbortSignal { throw new Error('the signal was asked for') },
      [ON_ABORT]: fn => { abort = fn }
    }
    const p = BUILTIN_HANDLERS.sleep!({ ms: 3_600_000 }, ctx) as Promise<unknown>
    abort(new Error('job cancelled'))
    await expect(p).rejects.toThrow('job cancelled')
    await expect(BUILTIN_HANDLERS.sleep!({ ms: 1 }, { ...context(), [ON_ABORT]: () => {} })).resolves.toEqual({ slept: 1 })
  })

  it('sleep rejects at once when the signal is already aborted', async () => {
    const ctx = context()
    ctx.controller.abort()
    await expect(BUILTIN_HANDLERS.sleep!({ ms: 3_600_000 }, ctx)).rejects.toMatchObject({ name: 'AbortError' })
  })

  it.each([[-1], ['soon'], [Number.POSITIVE_INFINITY]])('sleep rejects ms = %s', async (ms) => {
    await expect(BUILTIN_HANDLERS.sleep!({ ms }, context())).rejects.toThrow('sleep needs')
  })

  it('fanout spawns n children of the given type and payload', () => {
    const ctx = context()
    expect(BUILTIN_HANDLERS.fanout!({ n: 3, type: 'echo', payload: { i: 1 } }, ctx)).toEqual({ spawned: 3 })
    expect(ctx.spawned).toEqual([
      { type: 'echo', payload: { i: 1 } },
      { type: 'echo', payload: { i: 1 } },
      { type: 'echo', payload: { i: 1 } }
    ])
  })

  it('fanout of zero spawns nothing', () => {
    const ctx = context()
    expect(BUILTIN_HANDLERS.fanout!({ n: 0, type: 'echo' }, ctx)).toEqual({ spawned: 0 })
    expect(ctx.spawned).toEqual([])
  })

  it.each([
    ['missing', undefined],
    ['negative', -1],
    ['fractional', 1.5],
    ['not a number', 'many'],
    ['over the root-task limit', JOB_LIMITS.rootTasks + 1]
  ])('fanout rejects an n that is %s, spawning nothing', (_, n) => {
    const ctx = context()
    expect(() => BUILTIN_HANDLERS.fanout!({ n, type: 'echo' }, ctx)).toThrow('fanout needs')
    expect(ctx.spawned).toEqual([])
  })

  it('fanout rejects a missing child type, spawning nothing', () => {
    const ctx = context()
    expect(() => BUILTIN_HANDLERS.fanout!({ n: 2 }, ctx)).toThrow('child "type"')
    expect(ctx.spawned).toEqual([])
  })

  it('fanout rejects no payload at all', () => {
    expect(() => BUILTIN_HANDLERS.fanout!(null, context())).toThrow('fanout needs')
  })
})

describe('loadHandlers', () => {
  let dir: string
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mn-handlers-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  // Each fixture gets its own file name: import() caches modules by URL.
  async function fixture (name: string, source: string): Promise<string> {
    const path = join(dir, `${name}.mjs`)
    await writeFile(path, source)
    return path
  }

  async function loadError (paths: string[]): Promise<WorkError> {
    const err = await loadHandlers(paths).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkError)
    return err as WorkError
  }

  it('loads the functions of a default-exported object, ignoring other values', async () => {
    const path = await fixture('default-object', 'export default { double: p => p * 2, greet: async p => `hi ${p}`, version: 3 }')
    const handlers = await loadHandlers([path])
    expect(Object.keys(handlers).sort()).toEqual(['double', 'greet'])
    expect(handlers.double!(21, context())).toBe(42)
    await expect(handlers.greet!('x', context())).resolves.toBe('hi x')
  })

  it('loads named function exports, ignoring other values', async () => {
    const path = await fixture('named', 'export const a = () => 1\nexport function b () { return 2 }\nexport const version = "1"')
    const handlers = await loadHandlers([path])
    expect(Object.keys(handlers).sort()).toEqual(['a', 'b'])
    expect(handlers.b!(null, context())).toBe(2)
  })

  it('merges several modules, a later one replacing an earlier name', async () => {
    const first = await fixture('merge-1', 'export const a = () => "first"\nexport const b = () => "b"')
    const second = await fixture('merge-2', 'export const a = () => "second"')
    const handlers = await loadHandlers([first, second])
    expect(Object.keys(handlers).sort()).toEqual(['a', 'b'])
    expect(handlers.a!(null, context())).toBe('second')
  })

  it('loads nothing from no paths', async () => {
    expect(await loadHandlers([])).toEqual({})
  })

  it.each([
    ['exports nothing', 'export {}'],
    ['exports no functions', 'export const x = 1\nexport default { y: 2 }'],
    // A bare default function has no name to register it under.
    ['default-exports a single function', 'export default function () { return 1 }']
  ])('refuses a module that %s as BAD_HANDLERS', async (_, source) => {
    const path = await fixture(`none-${randomUUID()}`, source)
    const err = await loadError([path])
    expect(err.code).toBe('BAD_HANDLERS')
    expect(err.message).toContain(path)
  })

  it.each([
    ['a default-export key', 'export default { cmd: () => 1 }'],
    ['a named export', 'export const cmd = () => 1']
  ])('refuses a handler named "cmd" as %s', async (_, source) => {
    const path = await fixture(`cmd-${randomUUID()}`, source)
    const err = await loadError([path])
    expect(err.code).toBe('BAD_HANDLERS')
    expect(err.message).toContain('reserved')
  })

  it('refuses a handler name outside the task-type alphabet', async () => {
    const path = await fixture('bad-name', 'export default { "has space": () => 1 }')
    expect((await loadError([path])).code).toBe('BAD_HANDLERS')
  })

  it('refuses a missing file as BAD_HANDLERS, naming it', async () => {
    const path = join(dir, 'does-not-exist.mjs')
    const err = await loadError([path])
    expect(err.code).toBe('BAD_HANDLERS')
    expect(err.message).toContain(path)
  })

  it('refuses a module that does not parse as BAD_HANDLERS', async () => {
    const path = await fixture('syntax', 'export default { oops: ( => 1 }')
    expect((await loadError([path])).code).toBe('BAD_HANDLERS')
  })
})

describe('runCommand', () => {
  const never = (): AbortSignal => new AbortController().signal

  // Commands in the abort tests carry a per-test marker in their environment, which every
  // process they start inherits: the test waits for the command's `sleep` to be running
  // before aborting (so the shell cannot die before it forks), and a process that outlives
  // its test (the bug those tests guard against) is found and killed by pid afterwards.
  let marker = ''
  beforeEach(() => { marker = randomUUID() })
  afterEach(() => {
    for (const pid of markedPids()) process.kill(pid, 'SIGKILL')
  })

  /** Live processes carrying this test's marker, by pid (none where there is no /proc). */
  function markedPids (comm?: string): number[] {
    if (!existsSync('/proc')) return []
    const out: number[] = []
    for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
      try {
        if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`MN_EXECUTORS_TEST=${marker}`)) continue
        if (comm != null && readFileSync(`/proc/${pid}/comm`, 'latin1').trim() !== comm) continue
        out.push(Number(pid))
      } catch {}
    }
    return out
  }

  /** Resolves once the command's `sleep` process exists (or the command has already ended). */
  async function sleepStarted (command: Promise<unknown>): Promise<void> {
    if (!existsSync('/proc')) return
    let ended = false
    command.then(() => { ended = true }, () => { ended = true })
    while (!ended && markedPids('sleep').length === 0) await new Promise(resolve => setTimeout(resolve, 5))
  }

  /**
   * Awaits a promise that should settle soon after an abort. A command that survives its
   * abort settles only when it exits by itself (30 s); this turns that into a clear failure.
   * It is a hang detector, not a speed check: the kill fallback in runCommand is 2 s.
   */
  async function settles<T> (p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle after its abort`)), 10_000)
    })
    try {
      return await Promise.race([p, hang])
    } finally {
      clearTimeout(timer)
    }
  }

  it('resolves with stdout and stderr when the command exits 0', async () => {
    await expect(runCommand({ cmd: 'echo hello; echo note >&2' }, never())).resolves.toEqual({ code: 0, stdout: 'hello\n', stderr: 'note\n' })
  })

  it('runs in the given cwd with the given env added', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mn-cmd-'))
    try {
      const r = await runCommand({ cmd: 'pwd; echo "$MN_GREETING"; test -n "$PATH" && echo has-path', cwd: dir, env: { MN_GREETING: 'hi' } }, never())
      // The node's own environment (PATH) is kept underneath the task's.
      expect(r.stdout.split('\n').slice(1)).toEqual(['hi', 'has-path', ''])
      expect(r.stdout).toContain(dir.split('/').at(-1))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('rejects a non-zero exit with the code and the stderr, keeping the whole output and the exit code', async () => {
    const failure = runCommand({ cmd: 'echo partial; echo "disk on fire" >&2; exit 3' }, never())
    await expect(failure).rejects.toThrow(/code 3.*disk on fire/)
    await expect(failure).rejects.toBeInstanceOf(FailedWithResult)
    await expect(failure).rejects.toMatchObject({ result: { code: 3, stdout: 'partial\n', stderr: 'disk on fire\n' } })
    const killed = runCommand({ cmd: 'kill -9 $$' }, never())
    await expect(killed).rejects.toMatchObject({ result: { code: null, signal: 'SIGKILL' } })
  })

  it('marks output cut at the limit as truncated', async () => {
    const r = await runCommand({ cmd: `head -c ${JOB_LIMITS.outputBytes + 10} /dev/zero | tr '\\0' a` }, never())
    expect(r.truncated).toBe(true)
    expect(r.stdout.endsWith('[output truncated]')).toBe(true)
  })

  it('rejects a command killed by a signal, naming the signal', async () => {
    await expect(runCommand({ cmd: 'kill -KILL $$' }, never())).rejects.toThrow('signal SIGKILL')
  })

  it('rejects when the command cannot be started', async () => {
    await expect(runCommand({ cmd: 'true', cwd: join(tmpdir(), `mn-missing-${randomUUID()}`) }, never())).rejects.toThrow('cannot run command')
  })

  it('kills `sleep 30` on abort and rejects with the abort reason', async () => {
    const controller = new AbortController()
    const p = runCommand({ cmd: 'sleep 30', env: { MN_EXECUTORS_TEST: marker } }, controller.signal)
    await sleepStarted(p)
    controller.abort(new Error('cancelled by test'))
    await expect(settles(p, 'sleep 30')).rejects.toThrow('cancelled by test')
  })

  it('kills the whole command, not just the shell, on abort', async () => {
    // The shell forks `sleep` here and waits for it; killing only the shell would leave
    // sleep running, holding the output pipes open.
    const controller = new AbortController()
    const p = runCommand({ cmd: 'sleep 30; echo finished', env: { MN_EXECUTORS_TEST: marker } }, controller.signal)
    await sleepStarted(p)
    controller.abort(new Error('cancelled by test'))
    await expect(settles(p, 'sleep 30; echo finished')).rejects.toThrow('cancelled by test')
  })

  it('truncates stdout beyond JOB_LIMITS.outputBytes and says so', async () => {
    const over = JOB_LIMITS.outputBytes + 10_000
    const r = await runCommand({ cmd: `head -c ${over} /dev/zero | tr '\\0' x` }, never())
    expect(r.stdout).toBe('x'.repeat(JOB_LIMITS.outputBytes) + '\n[output truncated]')
  })

  it('keeps output of exactly JOB_LIMITS.outputBytes whole', async () => {
    const r = await runCommand({ cmd: `head -c ${JOB_LIMITS.outputBytes} /dev/zero | tr '\\0' y` }, never())
    expect(r.stdout).toBe('y'.repeat(JOB_LIMITS.outputBytes))
  })

  it('truncates stderr separately from stdout', async () => {
    const r = await runCommand({ cmd: `echo ok; head -c ${JOB_LIMITS.outputBytes + 1} /dev/zero | tr '\\0' e >&2` }, never())
    expect(r.stdout).toBe('ok\n')
    expect(r.stderr.endsWith('e\n[output truncated]')).toBe(true)
    expect(r.stderr.length).toBe(JOB_LIMITS.outputBytes + '\n[output truncated]'.length)
  })
})
