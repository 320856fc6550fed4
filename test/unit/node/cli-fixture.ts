// What the CLI unit tests share: an IO that captures what `main` prints, and a bare libp2p host
// on loopback answering the admin protocol with whatever the test sets (no meshnode behind it).
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { CliIO } from '../../../src/node/cli/main.js'
import { serveOnce } from '../../../src/node/transport/rpc.js'
import { ADMIN_PROTOCOL } from '../../../src/wire/constants.js'
import { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'

export function captureIO (): CliIO & { stdout: string, stderr: string } {
  const o = { stdout: '', stderr: '', env: {}, out: (t: string) => { o.stdout += t }, err: (t: string) => { o.stderr += t } }
  return o
}

export const OK: AdminResponse = { code: '', error: '', leader: '' }

export interface FakeAdmin {
  /** The host's multiaddr, for `--peer`. */
  addr: string
  /** Every request it was sent, in order. */
  seen: AdminRequest[]
  /** What it answers; a test sets it before calling the CLI. */
  answer: (req: AdminRequest) => AdminResponse
  stop: () => Promise<void>
}

export async function fakeAdminServer (): Promise<FakeAdmin> {
  const server = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Every CLI call is a new connection from loopback; do not rate-limit them.
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
  })
  const fake: FakeAdmin = {
    addr: server.getMultiaddrs()[0]!.toString(),
    seen: [],
    answer: () => OK,
    stop: async () => { await server.stop() }
  }
  await server.handle(ADMIN_PROTOCOL, ({ stream }) => {
    void serveOnce(stream, { request: AdminRequest, response: AdminResponse, maxRequestBytes: 1 << 20, timeoutMs: 5_000 }, req => {
      fake.seen.push(req)
      return fake.answer(req)
    }).catch(() => {})
  }, { maxInboundStreams: 64 })
  return fake
}
