import { describe, expect, it, vi } from 'vitest'
import { decodeCommand, encodeCommand, type ControlCommand, type JobEntry } from '../../../src/consensus/control.js'
import { MeshError } from '../../../src/node/errors.js'
import type { ConsensusService } from '../../../src/node/services/consensus.js'
import { Registrar } from '../../../src/node/services/registrar.js'
import type { Host } from '../../../src/node/transport/host.js'

// The leader's answers to forwarded batches, in order (registerAt is the one network call).
const forwarded: Array<{ code: string, error: string }> = []
const forwards: string[] = []
const forwardedBytes: Uint8Array[] = []
vi.mock('../../../src/node/services/internal.js', () => ({
  registerAt: async (_host: unknown, leader: string, command: Uint8Array) => {
    forwards.push(leader)
    forwardedBytes.push(command)
    return { leader: '', response: new Uint8Array(0), ...(forwarded.shift() ?? { code: '', error: '' }) }
  }
}))

const JOB: [string, JobEntry] = ['j1', { home: 'p1', createdAt: 1, state: 'running' }]

/** A consensus service whose proposals fail with `failures`, in order, then commit. */
function consensus (failures: Error[]): { svc: ConsensusService, proposed: ControlCommand[], bytes: Array<Uint8Array | undefined> } {
  const proposed: ControlCommand[] = []
  const bytes: Array<Uint8Array | undefined> = []
  const svc = {
    propose: async (cmd: ControlCommand, encoded?: Uint8Array) => {
      proposed.push(cmd)
      bytes.push(encoded)
      const err = failures.shift()
      if (err != null) throw err
      return { ok: true }
    }
  } as unknown as ConsensusService
  return { svc, proposed, bytes }
}

describe('the registrar', () => {
  it('proposes again when leadership changed before the entry committed (an election under load)', async () => {
    const { svc, proposed } = consensus([new MeshError('NO_QUORUM', 'leadership changed before entry 94 committed; retry')])
    await new Registrar({} as Host, svc).register([JOB])
    expect(proposed).toHaveLength(2)
    expect(proposed[1]).toEqual({ op: 'jobs.put', jobs: [JOB] })
  })

  it('waits for a leader while there is none', async () => {
    const { svc, proposed } = consensus([new MeshError('NO_QUORUM', 'no quorum: no leader is known'), new MeshError('NOT_LEADER', 'not leader')])
    await new Registrar({} as Host, svc).register([JOB])
    expect(proposed).toHaveLength(3)
  })

  it('gives up at once on anything else, and says why', async () => {
    const { svc, proposed } = consensus([new MeshError('NO_QUORUM', 'no quorum: entry 5 not committed within 5000 ms')])
    await expect(new Registrar({} as Host, svc).register([JOB])).rejects.toThrow(/not committed within/)
    expect(proposed).toHaveLength(1)
  })

  it('forwards again when the leader it forwarded to had moved on, and not for a refusal', async () => {
    const { svc, proposed } = consensus([new MeshError('NOT_LEADER', 'not leader', { leader: 'L1' }), new MeshError('NOT_LEADER', 'not leader', { leader: 'L2' })])
    forwarded.push({ code: 'NOT_LEADER', error: 'not leader (leader is L2)' })
    await new Registrar({} as Host, svc).register([JOB])
    expect(forwards).toEqual(['L1', 'L2'])
    expect(proposed).toHaveLength(2)

    const other = consensus([new MeshError('NOT_LEADER', 'not leader', { leader: 'L1' })])
    forwarded.push({ code: 'BAD_REQUEST', error: 'no' })
    await expect(new Registrar({} as Host, other.svc).register([JOB])).rejects.toThrow(/could not register the jobs: no \[BAD_REQUEST\]/)
  })
  it('encodes a batch once: the bytes it proposes are the bytes it forwards, and they hold the batch', async () => {
    forwardedBytes.length = 0
    const { svc, bytes } = consensus([new MeshError('NOT_LEADER', 'not leader', { leader: 'L1' })])
    await new Registrar({} as Host, svc).register([JOB])
    expect(bytes).toHaveLength(1)
    expect(forwardedBytes).toHaveLength(1)
    expect(forwardedBytes[0]).toBe(bytes[0])
    expect(decodeCommand(forwardedBytes[0]!)).toEqual({ op: 'jobs.put', jobs: [JOB] })
  })

  it('proposes a forwarded batch as the bytes it came in, on the leader', async () => {
    const { svc, bytes, proposed } = consensus([])
    const encoded = encodeCommand({ op: 'jobs.put', jobs: [JOB] })
    await new Registrar({} as Host, svc).proposeHere([JOB], encoded)
    expect(bytes[0]).toBe(encoded)
    expect(proposed[0]).toEqual({ op: 'jobs.put', jobs: [JOB] })
  })
})
