import { describe, expect, it } from 'vitest'
import { JOB_LIMITS } from '../../../src/wire/constants.js'
import { WorkError } from '../../../src/work/errors.js'
import {
  MAX_CAPABLE_WAIT_MS,
  TASK_DEFAULTS,
  canRun,
  childTaskId,
  encodePayload,
  formatJobId,
  jobOfTask,
  makeTask,
  parseJobInput,
  rootTasks
} from '../../../src/work/spec.js'

/** The WorkError a call throws, so tests can check its code (and that it is a WorkError at all). */
function thrown (fn: () => unknown): WorkError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(WorkError)
    return err as WorkError
  }
  throw new Error('expected a WorkError, nothing was thrown')
}

const badJob = (raw: unknown): WorkError => thrown(() => parseJobInput(raw))


/** Job ids as a core mints them: a per-node prefix (from its Rng) and a counter. */
let idCounter = 0
function newJobId (now = 1_790_000_000_000): string {
  idCounter = (idCounter + 1) % 0x100000
  return formatJobId(now, '0a1b2c3d', idCounter)
}

describe('parseJobInput', () => {
  it('accepts a single task as shorthand for a one-task job', () => {
    expect(parseJobInput({ type: 'echo', payload: { x: 1 } })).toEqual({ tasks: [{ type: 'echo', payload: { x: 1 } }] })
  })

  it('accepts a tasks array and keeps each task as written', () => {
    const job = parseJobInput({ name: 'nightly', tasks: [{ type: 'echo', payload: 1 }, { type: 'resize', priority: 5, attempts: 2 }] })
    expect(job).toEqual({ name: 'nightly', tasks: [{ type: 'echo', payload: 1 }, { type: 'resize', priority: 5, attempts: 2 }] })
  })

  it('keeps job-level defaults for requires, attempts, timeoutMs and priority', () => {
    const job = parseJobInput({ tasks: [{ type: 'echo' }], requires: ['gpu'], attempts: 1, timeoutMs: 0, priority: -3 })
    expect(job).toMatchObject({ requires: ['gpu'], attempts: 1, timeoutMs: 0, priority: -3 })
  })

  it('leaves unset fields out rather than writing undefined', () => {
    // The parsed job is stored and sent as JSON; absent keys must stay absent.
    const job = parseJobInput({ tasks: [{ type: 'echo' }] })
    expect(Object.keys(job)).toEqual(['tasks'])
    expect(Object.keys(job.tasks[0]!)).toEqual(['type'])
  })

  it('accepts a cmd task whose payload has a command', () => {
    expect(parseJobInput({ type: 'cmd', payload: { cmd: 'true' } }).tasks[0]!.type).toBe('cmd')
  })

  it('accepts the bounds of every integer field', () => {
    const job = parseJobInput({ tasks: [{ type: 'a', attempts: 100, timeoutMs: 7 * 24 * 3600_000, priority: 1000 }, { type: 'b', attempts: 1, timeoutMs: 0, priority: -1000 }] })
    expect(job.tasks).toHaveLength(2)
  })

  describe('rejects with BAD_JOB', () => {
    it.each([
      ['null', null],
      ['a string', 'echo'],
      ['a number', 42],
      ['an array', [{ type: 'echo' }]]
    ])('a job that is %s', (_, raw) => {
      expect(badJob(raw).code).toBe('BAD_JOB')
    })

    it('an object with neither tasks nor type', () => {
      expect(badJob({ payload: 1 }).code).toBe('BAD_JOB')
    })

    it('an empty tasks array', () => {
      expect(badJob({ tasks: [] }).code).toBe('BAD_JOB')
    })

    it('tasks that is not an array', () => {
      expect(badJob({ tasks: { type: 'echo' } }).code).toBe('BAD_JOB')
    })

    it('a task that is not an object, naming which task', () => {
      const err = badJob({ tasks: [{ type: 'echo' }, 'echo'] })
      expect(err.code).toBe('BAD_JOB')
      expect(err.message).toContain('tasks[1]: must be an object')
    })

    it.each([
      [{ tasks: [{ type: 'echo', atempts: 5 }] }, 'tasks[0]: unknown field "atempts" (did you mean "attempts"?)'],
      [{ type: 'echo', priorty: 3 }, 'the job: unknown field "priorty" (did you mean "priority"?)'],
      [{ type: 'echo', timeout: 5 }, 'the job: unknown field "timeout" (did you mean "timeoutMs"?)'],
      [{ typ: 'echo' }, 'unknown field "typ" (did you mean "type"?)'],
      [{ tasks: [{ type: 'echo' }], nmae: 'x' }, 'unknown field "nmae" (did you mean "name"?)'],
      [{ type: 'echo', zzzzzzzz: 1 }, 'unknown field "zzzzzzzz" (known: $schema, type, payload, requires']
    ])('a misspelt or unknown field, naming it and the field meant: %j', (raw, message) => {
      const err = badJob(raw)
      expect(err.code).toBe('BAD_JOB')
      expect(err.message).toContain(message)
    })

    it('every problem at once, each with its place', () => {
      const err = badJob({ tasks: [{ type: 'echo', attempts: 0 }, { type: 'bad type' }, { type: 'echo', priority: 2.5 }], name: 5 })
      expect(err.message).toMatch(/^4 problems: /)
      for (const part of ['tasks[0].attempts: must be >= 1', 'tasks[1].type: the string "bad type" is not a handler name', 'tasks[2].priority: must be an integer, not the fraction 2.5', 'name: must be a string, not number 5']) expect(err.message).toContain(part)
    })

    it('the published schema holds the same limits as the code', async () => {
      const schema = (await import('../../../schemas/job.schema.json', { with: { type: 'json' } })).default as any
      expect(schema.definitions.requires.maxItems).toBe(JOB_LIMITS.requires)
      expect(schema.then.properties.tasks.maxItems).toBe(JOB_LIMITS.rootTasks)
      expect(schema.definitions.waitForCapableMs.maximum).toBe(MAX_CAPABLE_WAIT_MS)
    })

    it.each([
      ['empty', ''],
      ['with a space', 'my handler'],
      ['with a slash', 'a/b'],
      ['too long', 'x'.repeat(129)],
      ['not a string', 7]
    ])('a type name that is %s', (_, type) => {
      expect(badJob({ tasks: [{ type }] }).code).toBe('BAD_JOB')
    })

    it.each([
      ['no payload', undefined],
      ['a string payload', 'ls'],
      ['no cmd field', { cwd: '/' }],
      ['an empty cmd', { cmd: '  ' }],
      ['a non-string cmd', { cmd: ['ls'] }]
    ])('a cmd task with %s', (_, payload) => {
      expect(badJob({ type: 'cmd', payload }).code).toBe('BAD_JOB')
    })

    it.each([
      ['not a list', 'gpu'],
      ['a non-string entry', ['gpu', 1]],
      ['an entry with a space', ['g pu']],
      ['an empty entry', ['']],
      ['too many entries', Array.from({ length: JOB_LIMITS.requires + 1 }, (_, i) => `c${i}`)]
    ])('requires that is %s, on a task or the job', (_, requires) => {
      expect(badJob({ tasks: [{ type: 'echo', requires }] }).code).toBe('BAD_JOB')
      expect(badJob({ tasks: [{ type: 'echo' }], requires }).code).toBe('BAD_JOB')
    })

    it.each([
      ['attempts', 0], ['attempts', 101], ['attempts', 1.5], ['attempts', '3'],
      ['timeoutMs', -1], ['timeoutMs', 7 * 24 * 3600_000 + 1], ['timeoutMs', Number.NaN],
      ['priority', -1001], ['priority', 1001], ['priority', Number.POSITIVE_INFINITY]
    ])('%s = %s, on a task or the job', (field, value) => {
      expect(badJob({ tasks: [{ type: 'echo', [field]: value }] }).code).toBe('BAD_JOB')
      expect(badJob({ tasks: [{ type: 'echo' }], [field]: value }).code).toBe('BAD_JOB')
    })

    it('a name longer than 200 characters, or not a string', () => {
      expect(parseJobInput({ type: 'echo', name: 'n'.repeat(200) }).name).toHaveLength(200)
      expect(badJob({ type: 'echo', name: 'n'.repeat(201) }).code).toBe('BAD_JOB')
      expect(badJob({ type: 'echo', name: 5 }).code).toBe('BAD_JOB')
    })

    it('more root tasks than JOB_LIMITS.rootTasks', () => {
      const tasks = Array.from({ length: JOB_LIMITS.rootTasks + 1 }, () => ({ type: 'echo' }))
      expect(badJob({ tasks }).code).toBe('BAD_JOB')
      // The limit itself is allowed.
      expect(parseJobInput({ tasks: tasks.slice(1) }).tasks).toHaveLength(JOB_LIMITS.rootTasks)
    })
  })
})

describe('rootTasks and makeTask', () => {
  it('numbers roots <job>/<i> and stamps job and home on each', () => {
    const tasks = rootTasks('J', 'home-peer', parseJobInput({ tasks: [{ type: 'a' }, { type: 'b' }, { type: 'c' }] }))
    expect(tasks.map(t => t.id)).toEqual(['J/0', 'J/1', 'J/2'])
    for (const t of tasks) expect(t).toMatchObject({ jobId: 'J', home: 'home-peer', attempts: 0 })
  })

  it('requires the handler capability, or "commands" for cmd tasks', () => {
    const [h, c] = rootTasks('J', 'h', parseJobInput({ tasks: [{ type: 'resize' }, { type: 'cmd', payload: { cmd: 'true' } }] }))
    expect(h!.requires).toEqual(['handler:resize'])
    expect(c!.requires).toEqual(['commands'])
  })

  it('merges job and task requires, sorted and without duplicates', () => {
    const job = parseJobInput({ requires: ['gpu', 'zone:eu'], tasks: [{ type: 'render', requires: ['gpu', 'avx', 'handler:render'] }] })
    expect(rootTasks('J', 'h', job)[0]!.requires).toEqual(['avx', 'gpu', 'handler:render', 'zone:eu'])
  })

  it('fills attempts, timeout and priority from TASK_DEFAULTS when neither task nor job sets them', () => {
    const t = makeTask('J/0', 'J', 'h', { type: 'echo' })
    expect(t).toMatchObject({ maxAttempts: TASK_DEFAULTS.attempts, timeoutMs: TASK_DEFAULTS.timeoutMs, priority: TASK_DEFAULTS.priority })
  })

  it('lets a task override the job defaults, and the job override TASK_DEFAULTS', () => {
    const job = parseJobInput({ attempts: 5, timeoutMs: 1000, priority: 2, tasks: [{ type: 'a' }, { type: 'b', attempts: 1, timeoutMs: 0, priority: -2 }] })
    const [a, b] = rootTasks('J', 'h', job)
    expect(a).toMatchObject({ maxAttempts: 5, timeoutMs: 1000, priority: 2 })
    // 0 and negative values are real settings, not "unset".
    expect(b).toMatchObject({ maxAttempts: 1, timeoutMs: 0, priority: -2 })
  })

  it('stores the payload as JSON text, undefined as null', () => {
    expect(makeTask('J/0', 'J', 'h', { type: 'echo', payload: { a: [1, 'x'] } }).payload).toBe('{"a":[1,"x"]}')
    expect(makeTask('J/0', 'J', 'h', { type: 'echo' }).payload).toBe('null')
  })

  it('rejects a task whose merged requires exceed the limit', () => {
    // Each list alone is within the limit; together with the handler they are not.
    const half = JOB_LIMITS.requires / 2
    const job = parseJobInput({
      requires: Array.from({ length: half }, (_, i) => `j${i}`),
      tasks: [{ type: 'echo', requires: Array.from({ length: half }, (_, i) => `t${i}`) }]
    })
    expect(thrown(() => rootTasks('J', 'h', job)).code).toBe('BAD_JOB')
  })

  it('rejects a root whose payload is too large', () => {
    const job = parseJobInput({ type: 'echo', payload: 'x'.repeat(JOB_LIMITS.payloadBytes) })
    expect(thrown(() => rootTasks('J', 'h', job)).code).toBe('PAYLOAD_TOO_LARGE')
  })
})

describe('encodePayload', () => {
  it('accepts a payload of exactly JOB_LIMITS.payloadBytes and refuses one byte more', () => {
    // A JSON string costs its two quotes.
    expect(Buffer.byteLength(encodePayload('x'.repeat(JOB_LIMITS.payloadBytes - 2), 'p'))).toBe(JOB_LIMITS.payloadBytes)
    expect(thrown(() => encodePayload('x'.repeat(JOB_LIMITS.payloadBytes - 1), 'p')).code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('measures the limit in UTF-8 bytes, not characters', () => {
    // 'é' is two bytes: half the limit in characters is already over it.
    expect(thrown(() => encodePayload('é'.repeat(JOB_LIMITS.payloadBytes / 2), 'p')).code).toBe('PAYLOAD_TOO_LARGE')
  })

  it.each([
    ['a BigInt', 10n],
    ['a BigInt inside an object', { n: 10n }],
    ['a function', () => 1],
    ['a symbol', Symbol('s')]
  ])('refuses %s as BAD_JOB', (_, value) => {
    expect(thrown(() => encodePayload(value, 'p')).code).toBe('BAD_JOB')
  })

  it('refuses a circular payload as BAD_JOB', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(thrown(() => encodePayload(loop, 'p')).code).toBe('BAD_JOB')
  })

  it('names what was being encoded in the message', () => {
    expect(thrown(() => encodePayload(1n, 'task J/3')).message).toContain('task J/3')
  })
})

describe('ids and capabilities', () => {
  it('child ids extend the parent id, and every descendant maps back to its job', () => {
    const child = childTaskId('J/0', 2)
    const grandchild = childTaskId(child, 0)
    expect(child).toBe('J/0.2')
    expect(grandchild).toBe('J/0.2.0')
    expect(jobOfTask(grandchild)).toBe('J')
    expect(jobOfTask('J/0')).toBe('J')
  })

  it('jobOfTask of an id without a slash is empty', () => {
    expect(jobOfTask('nonsense')).toBe('')
  })

  it('jobOfTask of a real job id round-trips', () => {
    const job = newJobId()
    expect(jobOfTask(childTaskId(`${job}/4`, 1))).toBe(job)
  })

  it('canRun needs every required capability, from a set or a list', () => {
    expect(canRun(new Set(['handler:a', 'gpu']), ['gpu', 'handler:a'])).toBe(true)
    expect(canRun(['handler:a'], ['gpu', 'handler:a'])).toBe(false)
    expect(canRun([], [])).toBe(true)
  })

  it('newJobId sorts by time, across digit-count changes too', () => {
    expect(newJobId(1000) < newJobId(2000)).toBe(true)
    // 35 and 36 differ in base-36 length ('z' vs '10'); padding keeps the order.
    expect(newJobId(35) < newJobId(36)).toBe(true)
    expect(newJobId(Date.UTC(2020, 0)) < newJobId(Date.UTC(2030, 0))).toBe(true)
  })

  it('newJobId gives distinct ids within one millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newJobId(1)))
    expect(ids.size).toBe(1000)
  })

  it('newJobId ids are valid in task ids: no slash', () => {
    expect(newJobId()).not.toContain('/')
  })
})

describe('a job\'s keep (retention)', () => {
  it('accepts whole milliseconds or a duration with a unit, as milliseconds', () => {
    expect(parseJobInput({ tasks: [{ type: 'echo' }], keep: 90_000 }).keep).toBe(90_000)
    expect(parseJobInput({ tasks: [{ type: 'echo' }], keep: '12h' }).keep).toBe(12 * 3_600_000)
    expect(parseJobInput({ type: 'echo', keep: '7d' }).keep).toBe(7 * 86_400_000)
    expect(parseJobInput({ tasks: [{ type: 'echo' }] })).not.toHaveProperty('keep')
  })

  it('refuses a keep that is not a duration, with what it takes', () => {
    // The schema refuses what is not a duration at all; parseKeep what is one but too long.
    for (const keep of ['soon', -1, 0, 1.5, '20y', 11 * 365 * 86_400_000, true, '4000d']) {
      expect(() => parseJobInput({ tasks: [{ type: 'echo' }], keep }), JSON.stringify(keep)).toThrow(/keep/)
    }
    expect(() => parseJobInput({ type: 'echo', keep: '4000d' })).toThrow(/at most 10 years/)
  })
})
