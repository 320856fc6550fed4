import { describe, expect, it } from 'vitest'
import { LiveTasks } from '../../../src/work/core/live-tasks.js'

describe('LiveTasks (a home job\'s live task ids)', () => {
  it('holds one id without a set, and says when it is gone', () => {
    const live = new LiveTasks()
    expect(live.size).toBe(0)
    live.add('j/0')
    live.add('j/0')
    expect(live.size).toBe(1)
    expect(live.has('j/0')).toBe(true)
    expect(live.has('j/1')).toBe(false)
    expect(live.delete('j/1')).toBe(false)
    expect(live.ids()).toEqual(['j/0'])
    expect(live.delete('j/0')).toBe(true)
    expect(live.delete('j/0')).toBe(false)
    expect(live.size).toBe(0)
    expect(live.ids()).toEqual([])
  })

  it('grows to many ids like a set, in the order added', () => {
    const live = new LiveTasks(['j/0', 'j/1'])
    live.add('j/0.0')
    live.add('j/1')
    expect(live.size).toBe(3)
    expect(live.ids()).toEqual(['j/0', 'j/1', 'j/0.0'])
    expect(live.delete('j/0')).toBe(true)
    expect(live.has('j/0')).toBe(false)
    expect(live.has('j/0.0')).toBe(true)
    live.delete('j/1')
    live.delete('j/0.0')
    expect(live.size).toBe(0)
    live.add('j/1.0')
    expect(live.ids()).toEqual(['j/1.0'])
  })

  it('takes a one-task job\'s child after its root is gone, and ends with both', () => {
    const live = new LiveTasks(['j/0'])
    live.add('j/0.0')
    live.delete('j/0')
    expect(live.ids()).toEqual(['j/0.0'])
    live.delete('j/0.0')
    expect(live.size).toBe(0)
  })
})
