// timeoutAfterPoll (src/node/transport/ping.ts): a probe's timeout that fires after a late loop
// turn must not beat an answer already waiting in the socket.
import { createConnection, createServer, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { timeoutAfterPoll } from '../../../src/node/transport/ping.js'

function busy (ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) { /* a loop turn that runs late */ }
}

describe('timeoutAfterPoll', () => {
  it('aborts with a TimeoutError after the time given', async () => {
    const signal = timeoutAfterPoll(10)
    expect(signal.aborted).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(signal.aborted).toBe(true)
    expect((signal.reason as Error).name).toBe('TimeoutError')
  })

  it('lets data that arrived while the loop ran late be read before it aborts', async () => {
    let accepted: (s: Socket) => void = () => {}
    const serverSide = new Promise<Socket>(resolve => { accepted = resolve })
    const server = createServer(socket => { accepted(socket) })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const client: Socket = createConnection(port, '127.0.0.1')
    const peer = await serverSide
    try {
      const signal = timeoutAfterPoll(20)
      const read = new Promise<boolean>(resolve => client.once('data', () => resolve(signal.aborted)))
      // The answer reaches this socket's buffer while the loop is busy past the timeout.
      peer.write('x')
      busy(100)
      expect(await read).toBe(false)
      await new Promise(resolve => setImmediate(resolve))
      expect(signal.aborted).toBe(true)
    } finally {
      client.destroy()
      peer.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  })
})
