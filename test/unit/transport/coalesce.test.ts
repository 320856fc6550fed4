import { describe, expect, it } from 'vitest'
import { pushable } from 'it-pushable'
import { Uint8ArrayList } from 'uint8arraylist'
import { coalesce } from '../../../src/node/transport/coalesce.js'

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs)
const collect = async (src: AsyncIterable<Uint8Array>): Promise<number[][]> => {
  const out: number[][] = []
  for await (const c of src) out.push([...c])
  return out
}
const macrotask = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('coalesce: chunks of one turn of the event loop leave as one write', () => {
  it('joins what a source yields without waiting, keeping order and content', async () => {
    async function * burst (): AsyncGenerator<Uint8Array | Uint8ArrayList> {
      yield b(1, 2)
      yield new Uint8ArrayList(b(3), b(4))
      yield b(5)
    }
    expect(await collect(coalesce(burst()))).toEqual([[1, 2, 3, 4, 5]])
  })

  it('does not hold a chunk for one that comes in a later turn', async () => {
    const p = pushable<Uint8Array>()
    const out: number[][] = []
    const done = (async () => { for await (const c of coalesce(p)) out.push([...c]) })()
    p.push(b(1))
    p.push(b(2))
    await macrotask()
    expect(out).toEqual([[1, 2]])
    p.push(b(3))
    await macrotask()
    expect(out).toEqual([[1, 2], [3]])
    p.end()
    await done
  })

  it('splits a burst at maxBytes', async () => {
    async function * burst (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 5; i++) yield b(i, i)
    }
    expect(await collect(coalesce(burst(), 4))).toEqual([[0, 0, 1, 1], [2, 2, 3, 3], [4, 4]])
  })

  it('passes a source error on after the chunks before it', async () => {
    async function * failing (): AsyncGenerator<Uint8Array> {
      yield b(1)
      throw new Error('boom')
    }
    const out: number[][] = []
    await expect((async () => { for await (const c of coalesce(failing())) out.push([...c]) })()).rejects.toThrow('boom')
    expect(out).toEqual([[1]])
  })

  it('lets its reader stop early while the source is idle, and ends the source', async () => {
    const p = pushable<Uint8Array>()
    const it = coalesce(p)
    p.push(b(7))
    expect(await it.next()).toEqual({ done: false, value: b(7) })
    // The source has nothing more; the reader gives up (a socket error): no hang.
    expect(await it.return(undefined)).toEqual({ done: true, value: undefined })
    p.push(b(8))
    await macrotask()
    expect(p.readableLength).toBe(0)
  })
})
