import { describe, expect, it } from 'vitest'
import { procSchedMs } from '../../../bench/lib/machine.js'

describe('bench machine figures', () => {
  it.runIf(process.platform === 'linux')('procSchedMs reads how long a process main thread ran and waited for a CPU', () => {
    const s = procSchedMs(process.pid)
    expect(s).toBeDefined()
    expect(s!.runMs).toBeGreaterThan(0)
    expect(s!.waitMs).toBeGreaterThanOrEqual(0)
  })

  it('procSchedMs is undefined for a process that does not exist', () => {
    expect(procSchedMs(2 ** 22 + 1)).toBeUndefined()
  })
})
