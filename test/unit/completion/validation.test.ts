import { describe, expect, it } from 'vitest'
import { CompletionCore, CompletionError } from '../../../src/completion/index.js'

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof CompletionError ? err.code : 'not a CompletionError'
  }
  return undefined
}

describe('caller errors', () => {
  it('only local pending tasks can be delegated', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t0', 't1'])
    core.taskStarted('j', 't1')
    expect(codeOf(() => core.delegate('j', 'x', 'b', ['nope']))).toBe('TASK_NOT_PENDING')
    expect(codeOf(() => core.delegate('j', 'x', 'b', ['t1']))).toBe('TASK_NOT_PENDING')
    expect(codeOf(() => core.delegate('other', 'x', 'b', ['t0']))).toBe('TASK_NOT_PENDING')
  })

  it('a rejected delegation changes nothing', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t0', 't1'])
    core.ready()
    core.taskStarted('j', 't1')
    expect(codeOf(() => core.delegate('j', 'x', 'b', ['t0', 't1']))).toBe('TASK_NOT_PENDING')
    expect(core.hasReady()).toBe(false)
    expect(core.localTasks('j').map((t) => t.taskId)).toEqual(['t0', 't1'])
  })

  it('a batch id cannot be reused, sent to oneself, be empty or repeat a task', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t0', 't1'])
    core.delegate('j', 'x', 'b', ['t0'])
    expect(codeOf(() => core.delegate('j', 'x', 'c', ['t1']))).toBe('DUPLICATE_BATCH_ID')
    expect(codeOf(() => core.delegate('j', 'y', 'a', ['t1']))).toBe('INVALID_BATCH')
    expect(codeOf(() => core.delegate('j', 'y', 'b', []))).toBe('INVALID_BATCH')
    expect(codeOf(() => core.delegate('j', 'y', 'b', ['t1', 't1']))).toBe('INVALID_BATCH')
    expect(codeOf(() => core.delegate('j', '', 'b', ['t1']))).toBe('INVALID_ID')
  })

  it('a job cannot be started twice on its home node', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t'])
    expect(codeOf(() => core.startJob('j', ['t']))).toBe('JOB_ALREADY_STARTED')
  })

  it('task events for tasks that are not here report false', () => {
    const core = new CompletionCore('a')
    expect(core.taskFinished('j', 't')).toBe(false)
    expect(core.taskStarted('j', 't')).toBe(false)
    expect(core.taskSpawned('j', 't', 't.0')).toBe(false)
    expect(core.hasReady()).toBe(false)
  })
})
