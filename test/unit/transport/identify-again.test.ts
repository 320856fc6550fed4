import type { Connection } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { IDENTIFY_ATTEMPTS, identifyAgain, identifyOnOpen, type Identifier } from '../../../src/node/transport/identify-again.js'

function timeout (): Error {
  return Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })
}

/** An identify service that fails with each error of `failures` in turn, then succeeds. */
function service (failures: Error[]): Identifier & { calls: number } {
  const s = {
    calls: 0,
    async identify (): Promise<unknown> {
      const err = failures[s.calls++]
      if (err != null) throw err
      return {}
    }
  }
  return s
}

const open = { status: 'open' } as unknown as Connection

describe('identify again', () => {
  it('identifies a new connection once when it succeeds', async () => {
    const s = service([])
    expect(await identifyAgain(s, open)).toBe(true)
    expect(s.calls).toBe(1)
  })

  it('tries again after a timeout while the connection is open', async () => {
    const s = service([timeout(), timeout()])
    expect(await identifyAgain(s, open)).toBe(true)
    expect(s.calls).toBe(3)
  })

  it('gives up after its attempts all time out', async () => {
    const s = service(Array.from({ length: IDENTIFY_ATTEMPTS + 5 }, timeout))
    expect(await identifyAgain(s, open)).toBe(false)
    expect(s.calls).toBe(IDENTIFY_ATTEMPTS)
  })

  it('does not try again after a failure other than a timeout', async () => {
    const s = service([Object.assign(new Error('protocol selection failed'), { name: 'UnsupportedProtocolError' })])
    expect(await identifyAgain(s, open)).toBe(false)
    expect(s.calls).toBe(1)
  })

  it('stops once the connection is no longer open', async () => {
    const conn = { status: 'open' } as { status: string }
    const s: Identifier & { calls: number } = {
      calls: 0,
      async identify () {
        s.calls++
        conn.status = 'closed'
        throw timeout()
      }
    }
    expect(await identifyAgain(s, conn as unknown as Connection)).toBe(false)
    expect(s.calls).toBe(1)
  })

  it('identifies every connection the host opens', async () => {
    let listener: ((evt: CustomEvent<Connection>) => void) | undefined
    const s = service([])
    identifyOnOpen({ addEventListener: (_type, l) => { listener = l } }, () => s)
    listener!(new CustomEvent('connection:open', { detail: open }))
    await new Promise(resolve => setImmediate(resolve))
    expect(s.calls).toBe(1)
  })
})
