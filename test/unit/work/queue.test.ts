import { describe, expect, it } from 'vitest'
import { ReadyQueue, type Queued } from '../../../src/work/queue.js'

// This node runs `handler:a` only; tasks needing `handler:b` or `gpu` wait for a thief.
const LOCAL = new Set(['handler:a'])

function task (id: string, priority = 0, requires: string[] = ['handler:a']): Queued {
  return { id, priority, requires }
}

function queue (...tasks: Queued[]): ReadyQueue<Queued> {
  const q = new ReadyQueue<Queued>(LOCAL)
  for (const t of tasks) q.push(t)
  return q
}

/** Takes until take() has nothing more for this node. */
function drain (q: ReadyQueue<Queued>): string[] {
  const out: string[] = []
  for (let t = q.take(); t != null; t = q.take()) out.push(t.id)
  return out
}

describe('ReadyQueue.take', () => {
  it('is empty at first', () => {
    const q = queue()
    expect(q.take()).toBeUndefined()
    expect(q.size).toBe(0)
    expect(q.runnable).toBe(0)
  })

  it('returns the highest priority first, FIFO within a priority', () => {
    const q = queue(task('lo1', -1), task('mid1', 0), task('hi1', 5), task('mid2', 0), task('hi2', 5), task('lo2', -1))
    expect(drain(q)).toEqual(['hi1', 'hi2', 'mid1', 'mid2', 'lo1', 'lo2'])
    expect(q.size).toBe(0)
  })

  it('pushFront queues ahead of its priority (a reclaimed task), never ahead of a higher one', () => {
    const q = queue(task('m1'), task('m2'), task('hi', 3))
    expect(q.take()!.id).toBe('hi')
    q.take()
    q.pushFront(task('back'))
    q.pushFront(task('hi2', 3))
    expect(drain(q)).toEqual(['hi2', 'back', 'm2'])
    q.pushFront(task('alone'))
    expect(q.size).toBe(1)
    expect(drain(q)).toEqual(['alone'])
  })

  it('puts a priority that arrives later in its place', () => {
    const q = queue(task('a', 1))
    expect(q.take()!.id).toBe('a')
    q.push(task('b', 0))
    q.push(task('c', 3))
    q.push(task('d', 1))
    expect(drain(q)).toEqual(['c', 'd', 'b'])
  })

  it('skips tasks this node cannot run but keeps them queued for a thief', () => {
    const q = queue(task('gpu', 5, ['handler:a', 'gpu']), task('x', 5), task('other', 0, ['handler:b']), task('y', 0))
    expect(q.size).toBe(4)
    expect(q.runnable).toBe(2)
    expect(drain(q)).toEqual(['x', 'y'])
    // The foreign ones are still there: counted in size, not in runnable.
    expect(q.size).toBe(2)
    expect(q.runnable).toBe(0)
    expect(q.take()).toBeUndefined()
  })

  it('finds a runnable task behind a foreign one at the front of its priority', () => {
    const q = queue(task('f1', 0, ['gpu']), task('f2', 0, ['gpu']), task('r', 0), task('f3', 0, ['gpu']))
    expect(q.take()!.id).toBe('r')
    // The foreign tasks keep their order for the thief.
    expect(q.steal(new Set(['gpu']), 10).map(t => t.id)).toEqual(['f3', 'f2', 'f1'])
  })
})

describe('ReadyQueue.steal', () => {
  it('takes the lowest priority first and the newest first within it', () => {
    const q = queue(task('hi1', 5), task('lo1', -1), task('mid1', 0), task('lo2', -1), task('mid2', 0), task('hi2', 5))
    expect(q.steal(LOCAL, 3).map(t => t.id)).toEqual(['lo2', 'lo1', 'mid2'])
    // The owner's line is untouched at the front.
    expect(drain(q)).toEqual(['hi1', 'hi2', 'mid1'])
  })

  it('takes at most max', () => {
    const q = queue(task('a'), task('b'), task('c'))
    expect(q.steal(LOCAL, 2)).toHaveLength(2)
    expect(q.size).toBe(1)
    expect(q.steal(LOCAL, 0)).toEqual([])
    expect(q.size).toBe(1)
  })

  it('takes only tasks the thief can run', () => {
    const q = queue(task('a1'), task('gpu1', 0, ['handler:a', 'gpu']), task('b1', 0, ['handler:b']), task('a2'))
    const stolen = q.steal(new Set(['handler:b', 'gpu']), 10)
    expect(stolen.map(t => t.id)).toEqual(['b1'])
    expect(q.size).toBe(3)
  })

  it('keeps runnable right when stealing foreign and local tasks', () => {
    const q = queue(task('a1'), task('b1', 0, ['handler:b']), task('a2'), task('b2', 1, ['handler:b']))
    expect(q.runnable).toBe(2)
    const stolen = q.steal(new Set(['handler:a', 'handler:b']), 3)
    expect(stolen.map(t => t.id)).toEqual(['a2', 'b1', 'a1'])
    expect(q.size).toBe(1)
    // Only b2 is left, and this node cannot run it.
    expect(q.runnable).toBe(0)
    expect(q.take()).toBeUndefined()
  })

  it('empties a priority level and leaves the others working', () => {
    const q = queue(task('lo', -1), task('hi', 1))
    expect(q.steal(LOCAL, 1).map(t => t.id)).toEqual(['lo'])
    q.push(task('lo-again', -1))
    expect(drain(q)).toEqual(['hi', 'lo-again'])
  })
})

describe('ReadyQueue.stealable', () => {
  it('counts what a given thief could take, or everything without one', () => {
    const q = queue(task('a1'), task('a2'), task('b1', 3, ['handler:b']), task('g', 0, ['handler:a', 'gpu']))
    expect(q.stealable()).toBe(4)
    expect(q.stealable(LOCAL)).toBe(2)
    expect(q.stealable(new Set(['handler:b']))).toBe(1)
    expect(q.stealable(new Set(['handler:a', 'gpu']))).toBe(3)
    expect(q.stealable(new Set())).toBe(0)
  })
})

describe('ReadyQueue.drop', () => {
  it('removes matching tasks across priorities and returns them', () => {
    const q = queue(task('J1/0', 1), task('J2/0', 1), task('J1/1', 0, ['handler:b']), task('J2/1', 0))
    const dropped = q.drop(t => t.id.startsWith('J1/'))
    expect(dropped.map(t => t.id).sort()).toEqual(['J1/0', 'J1/1'])
    expect(q.size).toBe(2)
    // J1/1 was foreign; dropping it must not leave it counted against runnable.
    expect(q.runnable).toBe(2)
    expect(drain(q)).toEqual(['J2/0', 'J2/1'])
  })

  it('drops nothing when nothing matches', () => {
    const q = queue(task('a'), task('b', 0, ['handler:b']))
    expect(q.drop(() => false)).toEqual([])
    expect(q.size).toBe(2)
    expect(q.runnable).toBe(1)
  })

  it('drops everything and leaves a usable queue', () => {
    const q = queue(task('a', 1), task('b', 0, ['handler:b']), task('c', -1))
    expect(q.drop(() => true)).toHaveLength(3)
    expect(q.size).toBe(0)
    expect(q.runnable).toBe(0)
    q.push(task('d', 1))
    expect(drain(q)).toEqual(['d'])
  })
})

describe('ReadyQueue at scale', () => {
  it('keeps FIFO order through thousands of interleaved pushes and takes', () => {
    // Enough shifts to pass the deque's compaction threshold many times over.
    const q = new ReadyQueue<Queued>(LOCAL)
    const taken: string[] = []
    let next = 0
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(task(String(next++)))
      for (let i = 0; i < 60; i++) taken.push(q.take()!.id)
    }
    expect(q.size).toBe(5000 - 3000)
    taken.push(...drain(q))
    expect(taken).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)))
  })

  it('keeps order when a steal and a drop follow compaction', () => {
    const q = new ReadyQueue<Queued>(LOCAL)
    for (let i = 0; i < 5000; i++) q.push(task(String(i)))
    for (let i = 0; i < 3000; i++) expect(q.take()!.id).toBe(String(i))
    expect(q.steal(LOCAL, 2).map(t => t.id)).toEqual(['4999', '4998'])
    expect(q.drop(t => Number(t.id) % 2 === 1)).toHaveLength(999)
    expect(q.size).toBe(999)
    expect(q.runnable).toBe(999)
    expect(drain(q)).toEqual(Array.from({ length: 999 }, (_, i) => String(3000 + 2 * i)))
  })
})
