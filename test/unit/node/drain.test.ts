// The drain's steps (src/node/drain.ts): it waits for the work layer to hold nothing or for
// the deadline, then hands leadership over and retires through the control log, in that
// order; its status and exit code say what happened. A fake node and a fake clock.
import { describe, expect, it } from 'vitest'
import { Drain, EXIT_DRAIN_DEADLINE, type DrainHost } from '../../../src/node/drain.js'
import { drainExitCode } from '../../../src/node/cli/drain.js'
import { parseDuration } from '../../../src/node/cli/table.js'
import type { DrainProgress } from '../../../src/work/core.js'

const IDLE: DrainProgress = { done: true, queued: 0, running: 0, lent: 0, engaged: 0, outbox: 0, homeJobs: 0, inFlight: 0, handedOff: 0, finished: 0 }

function fakeHost (progress: (now: number) => DrainProgress, opts: { leader?: boolean, retireFails?: boolean, alone?: boolean } = {}): DrainHost & { steps: string[], clock: { now: number } } {
  const clock = { now: 0 }
  const steps: string[] = []
  return {
    clock,
    steps,
    work: {
      drain: () => { steps.push('work.drain') },
      drainProgress: () => progress(clock.now)
    },
    announce: () => { steps.push('announce') },
    livePeers: () => opts.alone === true ? 0 : 2,
    transferLeadership: async () => {
      steps.push('transfer')
      return opts.leader === true
    },
    retire: async reason => {
      steps.push(`retire:${reason}`)
      if (opts.retireFails === true) throw new Error('no quorum')
    },
    now: () => clock.now,
    sleep: async ms => { clock.now += ms },
    log: { info: () => {}, warn: () => {} }
  }
}

describe('Drain', () => {
  it('waits until the work layer holds nothing, then hands leadership over and retires as drained', async () => {
    const host = fakeHost(now => now < 1_000 ? { ...IDLE, done: false, queued: 3, handedOff: 5 } : { ...IDLE, handedOff: 8, finished: 2 }, { leader: true })
    const drain = new Drain(host, 30_000)
    expect(drain.status()).toMatchObject({ state: 'draining', queued: 3 })
    const final = await drain.done
    expect(host.steps).toEqual(['work.drain', 'announce', 'transfer', 'retire:drained'])
    expect(final).toMatchObject({ state: 'left', clean: true, declaredDead: true, leadershipTransferred: true, handedOff: 8, finished: 2, queued: 0 })
    expect(final.elapsedMs).toBe(1_000)
    expect(final.summary).toMatch(/^drained after 1\.0 s: 8 tasks handed off to peers, 2 finished here; nothing was left; leadership handed over; retired/)
    expect(drain.exitCode).toBe(0)
    expect(drainExitCode(final)).toBe(0)
  })

  it('retires at the deadline with what is left, so peers re-run it, and exits 5', async () => {
    const host = fakeHost(() => ({ ...IDLE, done: false, running: 1, homeJobs: 1, handedOff: 4 }))
    const drain = new Drain(host, 2_000)
    const final = await drain.done
    expect(host.steps).toEqual(['work.drain', 'announce', 'transfer', 'retire:drain deadline passed'])
    expect(final).toMatchObject({ state: 'left', clean: false, declaredDead: true, running: 1, homeJobs: 1 })
    expect(final.summary).toContain('the deadline (2.0 s) passed with 1 running task, 1 unfinished job homed here still here')
    expect(final.summary).toContain('peers re-run what it held and its jobs are re-homed')
    expect(drain.exitCode).toBe(EXIT_DRAIN_DEADLINE)
    expect(drainExitCode(final)).toBe(EXIT_DRAIN_DEADLINE)
  })

  it('says so when it cannot retire (no quorum), and exits 1', async () => {
    const host = fakeHost(() => IDLE, { retireFails: true })
    const drain = new Drain(host, 2_000)
    const final = await drain.done
    expect(final).toMatchObject({ state: 'left', declaredDead: false })
    expect(final.summary).toContain('could not retire through the control log (no quorum)')
    expect(drain.exitCode).toBe(1)
    expect(drainExitCode(final)).toBe(1)
  })
})

describe('Drain: leaving the voter set', () => {
  const withLeave = (opts: { leaveFails?: boolean, retireFails?: boolean } = {}): ReturnType<typeof fakeHost> => {
    const host = fakeHost(() => IDLE, opts)
    host.leaveRaft = async () => {
      host.steps.push('leaveRaft')
      if (opts.leaveFails === true) throw new Error('no quorum: entry 9 not committed within 5000 ms')
    }
    return host
  }

  it('leaves the Raft configuration after retiring, so the voters left keep a majority', async () => {
    const host = withLeave()
    const final = await new Drain(host, 2_000).done
    expect(host.steps).toEqual(['work.drain', 'announce', 'transfer', 'retire:drained', 'leaveRaft'])
    expect(final).toMatchObject({ state: 'left', declaredDead: true, leftRaft: true })
    expect(final.summary).toContain('removed from the voters')
  })

  it('still retires when it cannot leave the voter set, and says how to remove it by hand', async () => {
    const host = withLeave({ leaveFails: true })
    const drain = new Drain(host, 2_000)
    const final = await drain.done
    expect(final).toMatchObject({ declaredDead: true, leftRaft: false })
    expect(final.summary).toContain('still a voter (no quorum: entry 9 not committed within 5000 ms): remove it with meshnode operator raft remove-peer')
    expect(drain.exitCode).toBe(0)
  })

  it('does not try to leave the voter set when it could not retire', async () => {
    const host = withLeave({ retireFails: true })
    const final = await new Drain(host, 2_000).done
    expect(host.steps).not.toContain('leaveRaft')
    expect(final.leftRaft).toBe(false)
  })
})

describe('Drain, alone', () => {
  it('stops without draining or retiring when no peer is alive: the work stays on disk', async () => {
    const host = fakeHost(() => ({ ...IDLE, done: false, queued: 5, homeJobs: 1 }), { alone: true })
    const drain = new Drain(host, 30_000)
    const final = await drain.done
    expect(host.steps).toEqual([])
    expect(final).toMatchObject({ state: 'left', declaredDead: false, queued: 5, homeJobs: 1 })
    expect(final.summary).toMatch(/^no live peer to hand work to: stopped without draining; 5 queued tasks, 1 unfinished job homed here stays/)
    expect(drain.exitCode).toBe(0)
  })
})

describe('meshnode drain --deadline', () => {
  it('reads seconds, minutes, milliseconds and bare seconds', () => {
    expect(parseDuration('60s', '--deadline')).toBe(60_000)
    expect(parseDuration('2m', '--deadline')).toBe(120_000)
    expect(parseDuration('500ms', '--deadline')).toBe(500)
    expect(parseDuration('1.5s', '--deadline')).toBe(1_500)
    expect(parseDuration('45', '--deadline')).toBe(45_000)
  })

  it('refuses anything else, naming the flag', () => {
    expect(() => parseDuration('soon', '--deadline')).toThrow(/invalid --deadline "soon"/)
    expect(() => parseDuration('0s', '--deadline')).toThrow(/between 1 ms and 1 h/)
    expect(() => parseDuration('2h', '--deadline')).toThrow(/invalid --deadline/)
  })
})
