// The Raft and failure-detection tunables the node runs with, each defaulted in one place:
// the cores' options files for core knobs, START_OPTIONS for start options. These pin the
// effective values, so moving a default cannot change what a node does unnoticed.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { defaultRaftOptions } from '../../../src/consensus/options.js'
import { defaultFailureDetectorOptions } from '../../../src/healing/failure-detector.js'
import { defaultConfig } from '../../../src/node/config.js'
import { defaultConsensusOptions } from '../../../src/node/services/consensus.js'

describe('node tunables', () => {
  it('ticks Raft every 30 ms with 10-tick elections and a heartbeat every 3 ticks', () => {
    const { tickMs, electionTicks, heartbeatTicks } = defaultConsensusOptions
    expect({ tickMs, electionTicks, heartbeatTicks }).toEqual({ tickMs: 30, electionTicks: 10, heartbeatTicks: 3 })
  })

  it('takes its Raft tunables from the core defaults', () => {
    expect(defaultConsensusOptions.electionTicks).toBe(defaultRaftOptions.electionTicks)
    expect(defaultConsensusOptions.heartbeatTicks).toBe(defaultRaftOptions.heartbeatTicks)
  })

  it('takes the consensus start options from the start option table', () => {
    const config = defaultConfig()
    expect(defaultConsensusOptions.expect).toBe(config.expect)
    expect(defaultConsensusOptions.voterCap).toBe(config.voterCap)
    expect(defaultConsensusOptions.snapshotEvery).toBe(config.snapshotEvery)
  })

  it('leaves probe-after and dead-after to the start options, not to a detector default', () => {
    expect(defaultFailureDetectorOptions).toEqual({ probeIntervalMs: 100 })
    expect(defaultConfig()).toMatchObject({ heartbeatMs: 1_000, probeAfterMs: 3_000, deadAfterMs: 3_000, probeTimeoutMs: 500 })
  })

  it('is described truthfully in the Raft core options comment', () => {
    const file = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/consensus/options.ts')
    const text = readFileSync(file, 'utf8').replace(/\n\/\/ /g, ' ')
    const { tickMs, electionTicks, heartbeatTicks } = defaultConsensusOptions
    expect(text).toContain(`ticks every ${tickMs} ms`)
    expect(text).toContain(`${tickMs * electionTicks}–${2 * tickMs * electionTicks} ms`)
    expect(text).toContain(`every ${tickMs * heartbeatTicks} ms`)
  })
})
