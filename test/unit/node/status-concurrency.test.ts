// The slots in `meshnode status`: read from the work_slots* gauges every node lists among its
// status counters, shown as `concurrency` in JSON and on the work line of the summary.
import Ajv from 'ajv'
import { describe, expect, it } from 'vitest'
import schema from '../../../src/node/client/status-schema.json' with { type: 'json' }
import { formatStatus, statusToJson } from '../../../src/node/client/status-json.js'
import { StatusResponse } from '../../../src/wire/proto/status.js'

const base: StatusResponse = {
  peerId: '12D3KooWA', name: 'a', version: '0.1.0', addrs: [], uptimeMs: 1n, role: 'none', term: 0n, leader: '',
  commitIndex: 0n, appliedIndex: 0n, voters: [], learners: [], formation: 'member', rssBytes: 1n, heapUsedBytes: 1n,
  mesh: 'default', security: 'loopback-only', incarnation: 1n, load: 0, capabilities: [], peers: [], counters: [],
  dead: [], quorum: 'contact', draining: false, http: '', circuits: []
}

const counters = (o: Record<string, number>): StatusResponse['counters'] => Object.entries(o).map(([name, v]) => ({ name, value: BigInt(v) }))

describe('status: concurrency', () => {
  const validate = new Ajv.default({ allErrors: true }).compile(schema)

  it('auto: the slots now and their bounds', () => {
    const json = statusToJson(StatusResponse.decode(StatusResponse.encode({ ...base, counters: counters({ work_slots: 12, work_slots_min: 2, work_slots_max: 64, work_slots_auto: 1, work_running: 12, work_queued: 30 }) })))
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
    expect(json.concurrency).toEqual({ mode: 'auto', slots: 12, min: 2, max: 64 })
    expect(formatStatus(json)).toContain('work: 12 running, 30 queued, 0 active jobs homed here; 0 tasks run; slots 12 (auto, 2–64)')
  })

  it('fixed', () => {
    const json = statusToJson({ ...base, counters: counters({ work_slots: 4, work_slots_min: 4, work_slots_max: 4, work_slots_auto: 0 }) })
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
    expect(json.concurrency).toEqual({ mode: 'fixed', slots: 4, min: 4, max: 4 })
    expect(formatStatus(json)).toContain('slots 4 (fixed)')
  })

  it('absent from a node that does not report slots', () => {
    const json = statusToJson(base)
    expect(json.concurrency).toBeUndefined()
    expect(validate(json)).toBe(true)
    expect(formatStatus(json)).not.toContain('slots')
  })
})
