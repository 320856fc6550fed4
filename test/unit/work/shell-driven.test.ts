// WorkShell.onDriven: told after every drive of the core, so the work service learns that
// stealable work appeared (and announces it) without polling the queue on a timer.
import { describe, expect, it } from 'vitest'
import { loneShell } from './lone-shell.js'

describe('work shell: onDriven', () => {
  it('tells its listeners when submitted work becomes stealable', async () => {
    let release!: () => void
    const blocked = new Promise<void>(resolve => { release = resolve })
    const { shell, close } = await loneShell('mn-shell-driven-', { handlers: { block: async () => { await blocked } } })
    try {
      const seen: number[] = []
      shell.onDriven.push(() => { seen.push(shell.stealable) })
      expect(shell.stealable).toBe(0)
      await shell.submit([{ tasks: Array.from({ length: 20 }, () => ({ type: 'block' })) }])
      expect(shell.stealable).toBeGreaterThan(0)
      // The listener saw the change when it happened: no timer had to look.
      expect(seen.some(s => s > 0)).toBe(true)
    } finally {
      release()
      await close()
    }
  })
})
