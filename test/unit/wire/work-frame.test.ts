// A requester's frame is written by RequestFrame (src/node/transport/work-transport.ts), not by
// protons, so that a replicate request sent to several holders is encoded once. The receiver
// reads it with the generated WorkFrame codec: the two must agree.
import { inflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { RequestFrame } from '../../../src/node/transport/work-transport.js'
import { ReplicaSet, WorkFrame, type WorkRequest } from '../../../src/wire/proto/work.js'
import { encodeWorkMsg, workRequest } from '../../../src/wire/work-codec.js'
import type { JobReplica } from '../../../src/work/records.js'

const HOME = '12D3KooWALaxZrHPd73Rm2example'

function replicas (n: number): JobReplica[] {
  return Array.from({ length: n }, (_, i): JobReplica => ({
    id: `job-${i}`,
    home: HOME,
    createdAt: 1_795_000_000_000 + i,
    tasks: [{ id: `job-${i}/0`, jobId: `job-${i}`, type: 'echo', payload: `{"i":${i}}`, requires: [], maxAttempts: 3, attempts: 0, timeoutMs: 0, priority: 0, home: HOME }]
  }))
}

describe('RequestFrame', () => {
  it('decodes as a WorkFrame with the same id and request, for small and large ids', () => {
    const req: WorkRequest = workRequest('steal', { capabilities: ['gpu'], want: 7 })
    for (const id of [1n, 127n, 128n, 300n, 2n ** 40n + 5n]) {
      const f = WorkFrame.decode(RequestFrame.encode({ id, request: req }))
      expect(f.id).toBe(id)
      expect(f.request).toEqual(req)
      expect(f.response).toBeUndefined()
    }
  })

  it('writes the same bytes as the generated codec', () => {
    const req = workRequest('results', { signals: [{ jobId: 'j', batchId: 'b' }] })
    expect(RequestFrame.encode({ id: 42n, request: req })).toEqual(WorkFrame.encode({ id: 42n, request: req }))
  })

  it('a replicate message to several holders is one request object, encoded once and decoded whole', () => {
    const jobs = replicas(50)
    const a = encodeWorkMsg({ op: 'replicate', jobs })
    const b = encodeWorkMsg({ op: 'replicate', jobs })
    expect(b).toBe(a)
    // A different job list (another submit) is its own request.
    expect(encodeWorkMsg({ op: 'replicate', jobs: replicas(50) })).not.toBe(a)
    const one = RequestFrame.encode({ id: 1n, request: a })
    const two = RequestFrame.encode({ id: 2n, request: b })
    const expected = WorkFrame.decode(WorkFrame.encode({ id: 1n, request: a })).request
    expect(WorkFrame.decode(one).request).toEqual(expected)
    expect(WorkFrame.decode(two).request).toEqual(expected)
    expect(WorkFrame.decode(two).id).toBe(2n)
    expect(WorkFrame.decode(two).request?.replicaIds).toHaveLength(50)
    expect(ReplicaSet.decode(inflateRawSync(WorkFrame.decode(two).request!.packedReplicas)).replicas).toHaveLength(50)
  })
})
