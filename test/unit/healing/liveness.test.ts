// Frames as liveness (src/healing/liveness.ts): which peers a quiet heartbeat may leave out.
import { describe, expect, it } from 'vitest'
import { MAX_VOUCH_BYTES, makeVouch, memberList, quietPlan, readVouch, unvouched, type FrameLivenessPeer, type OwnVouch } from '../../../src/healing/liveness.js'
import { FailureDetector } from '../../../src/healing/failure-detector.js'

const peer = (peerId: string, lastFrameSentAt: number | undefined, framesAlive = true, pulsable = true): FrameLivenessPeer => ({ peerId, framesAlive, lastFrameSentAt, pulsable })
const sorted = (s: Set<string>): string[] => [...s].sort()

describe('quietPlan', () => {
  const all = new Set(['a', 'b', 'c', 'd', 'e'])
  const peers = [peer('a', 9_500), peer('b', 9_000), peer('c', 8_999), peer('d', undefined), peer('e', 9_900, false)]

  it('leaves out a peer that counts frames and got the last full heartbeat; one sent no frame within the window gets a pulse', () => {
    const plan = quietPlan(peers, all, 10_000, 1_000, true)
    expect(sorted(plan.leaveOut)).toEqual(['a', 'b', 'c', 'd'])
    expect(sorted(plan.pulse)).toEqual(['c', 'd'])
  })

  it('leaves out a peer a pulse cannot reach (not a member) only if it was just sent a frame', () => {
    const plan = quietPlan(peers.map(p => ({ ...p, pulsable: false })), all, 10_000, 1_000, true)
    expect(sorted(plan.leaveOut)).toEqual(['a', 'b'])
    expect(plan.pulse.size).toBe(0)
  })

  it('leaves out nobody while the mesh is not settled (a relay may be needed)', () => {
    const plan = quietPlan(peers, all, 10_000, 1_000, false)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('never leaves out a peer that was not sent the content it repeats', () => {
    const plan = quietPlan([peer('x', 9_999), peer('y', undefined)], all, 10_000, 1_000, true)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('never leaves out an older peer, which does not count frames', () => {
    const plan = quietPlan([peer('a', 9_999, false), peer('b', undefined, false)], all, 10_000, 1_000, true)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('pulses only go to peers it leaves out', () => {
    for (const settled of [true, false]) {
      for (const pulsable of [true, false]) {
        const plan = quietPlan(peers.map(p => ({ ...p, pulsable })), all, 10_000, 1_000, settled)
        for (const p of plan.pulse) expect(plan.leaveOut.has(p)).toBe(true)
      }
    }
  })
})

describe('quietPlan with a leader that vouches', () => {
  const all = new Set(['L', 'p', 'q', 'r', 's', 't'])
  const H = 0x1234
  // p, q: followers of L over the same list; r: another list; s: another leader; t: an older node.
  const peers: FrameLivenessPeer[] = [
    { ...peer('L', 9_800), leader: 'L', vouchMembers: H },
    { ...peer('p', undefined), leader: 'L', vouchMembers: H },
    { ...peer('q', 9_900), leader: 'L', vouchMembers: H },
    { ...peer('r', undefined), leader: 'L', vouchMembers: H + 1 },
    { ...peer('s', undefined), leader: 'M', vouchMembers: H },
    { ...peer('t', undefined), leader: 'L' }
  ]
  const own = (vouchedAt: number | undefined, leader = 'L', members = H): OwnVouch => ({ leader, members, vouchedAt })

  it('a follower the leader vouched for lately sends a fellow follower of that leader, on the same list, neither pulse nor heartbeat', () => {
    const plan = quietPlan(peers, all, 10_000, 1_000, true, own(9_400))
    expect(sorted(plan.leaveOut)).toEqual(['L', 'p', 'q', 'r', 's', 't'])
    expect(sorted(plan.vouched)).toEqual(['p'])
    // q was just sent a frame (nothing needed anyway); the leader gets frames; r, s, t still get pulses.
    expect(sorted(plan.pulse)).toEqual(['r', 's', 't'])
  })

  it('falls back to pulses when the vouch is stale, from another leader, or over no list, and while not settled to heartbeats', () => {
    for (const o of [own(8_999), own(undefined), own(9_900, 'M'), own(9_900, 'L', 0), undefined]) {
      const plan = quietPlan(peers, all, 10_000, 1_000, true, o)
      expect(plan.vouched.has('p')).toBe(false)
      expect(plan.pulse.has('p')).toBe(true)
    }
    const unsettled = quietPlan(peers, all, 10_000, 1_000, false, own(9_900))
    expect(unsettled.leaveOut.size + unsettled.vouched.size + unsettled.pulse.size).toBe(0)
  })

  it('vouching never spares a peer that missed the content, or one that does not count frames', () => {
    const plan = quietPlan([{ ...peer('x', undefined), leader: 'L', vouchMembers: H }, { ...peer('p', undefined, false), leader: 'L', vouchMembers: H }], all, 10_000, 1_000, true, own(9_900))
    expect(plan.leaveOut.size + plan.vouched.size).toBe(0)
  })
})

describe('vouches (makeVouch, readVouch)', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `peer-${String(i).padStart(2, '0')}`)
  const list = memberList([...ids].reverse())
  const heard = new Map(ids.map((id, i) => [id, i % 3 === 0 ? 9_500 : 8_000]))

  it('the member list is sorted and its hash depends on every member; never 0', () => {
    expect(list.ids).toEqual(ids)
    expect(memberList(ids).hash).toBe(list.hash)
    expect(memberList(ids.slice(1)).hash).not.toBe(list.hash)
    expect(memberList([]).hash).not.toBe(0)
  })

  it('names the members heard within the window, not the leader itself, in 7 bytes at 50 members; the follower reads them back', () => {
    const v = makeVouch(list, 'peer-00', id => heard.get(id), 10_000, 1_000)
    expect(v.heard.length).toBe(7)
    expect(v.members).toBe(list.hash)
    const r = readVouch('peer-00', 'peer-00', v, list)
    expect(r).toEqual({ ok: true, vouched: ids.filter((_id, i) => i % 3 === 0 && i !== 0) })
  })

  it('counts a vouch only from the leader this node follows, over its own list; rejects a malformed or oversize one', () => {
    const v = makeVouch(list, 'peer-00', id => heard.get(id), 10_000, 1_000)
    expect(readVouch('peer-01', 'peer-00', v, list)).toEqual({ ok: false, reason: 'not-leader' })
    expect(readVouch('peer-00', null, v, list)).toEqual({ ok: false, reason: 'not-leader' })
    expect(readVouch('peer-00', '', v, list)).toEqual({ ok: false, reason: 'not-leader' })
    expect(readVouch('peer-00', 'peer-00', v, memberList(ids.slice(1)))).toEqual({ ok: false, reason: 'other-list' })
    expect(readVouch('peer-00', 'peer-00', { ...v, heard: v.heard.slice(1) }, list)).toEqual({ ok: false, reason: 'malformed' })
    expect(readVouch('peer-00', 'peer-00', { ...v, heard: new Uint8Array(8) }, list)).toEqual({ ok: false, reason: 'malformed' })
    const pastTheEnd = v.heard.slice()
    pastTheEnd[6] = pastTheEnd[6]! | 0x80 // bit 55: there are 50 members
    expect(readVouch('peer-00', 'peer-00', { ...v, heard: pastTheEnd }, list)).toEqual({ ok: false, reason: 'malformed' })
    expect(readVouch('peer-00', 'peer-00', { members: list.hash, heard: new Uint8Array(MAX_VOUCH_BYTES + 1) }, list)).toEqual({ ok: false, reason: 'oversize' })
  })

  it('unvouched: the members one vouch named and the next one does not, over the same list only', () => {
    const before = makeVouch(list, 'peer-00', id => heard.get(id), 10_000, 1_000)
    // 600 ms later peer-03 and peer-48 were heard again, the others of the first vouch were not.
    const later = new Map(heard)
    later.set('peer-03', 10_500)
    later.set('peer-48', 10_500)
    const after = makeVouch(list, 'peer-00', id => later.get(id), 10_600, 1_000)
    const named = ids.filter((_id, i) => i % 3 === 0 && i !== 0)
    expect(unvouched(before, after, list)).toEqual(named.filter(id => id !== 'peer-03' && id !== 'peer-48'))
    expect(unvouched(after, before, list)).toEqual([])
    expect(unvouched(before, before, list)).toEqual([])
    // A vouch over another list says nothing about this one's members.
    expect(unvouched(before, { ...after, members: memberList(ids.slice(1)).hash }, list)).toEqual([])
  })
})

describe('FailureDetector.signOfLife', () => {
  const opts = { probeAfterMs: 3_000, deadAfterMs: 3_000 }

  it('keeps a live peer from being probed for silence, as heartbeats do', () => {
    const d = new FailureDetector(opts)
    d.heartbeat('p', 1n, 1n, 0, false, 1_000)
    d.ready()
    for (let t = 600; t <= 20_000; t += 600) {
      d.signOfLife('p', t)
      d.tick(t)
      expect(d.ready().probes).toEqual([])
    }
    expect(d.get('p')!.state).toBe('alive')
    // The frames stop: silence is judged from the last one, with the quiet margin.
    expect(d.nextDeadline()).toBe(19_800 + 3_000 + 1_000)
    d.tick(19_800 + 4_000)
    expect(d.ready().probes).toEqual(['p'])
  })

  it('a sign of life dated in the past (a vouch\'s window) never moves the last one back', () => {
    const d = new FailureDetector(opts)
    d.heartbeat('p', 1n, 1n, 5_000, false, 1_000)
    d.signOfLife('p', 4_000)
    expect(d.get('p')!.lastHeardAt).toBe(5_000)
    d.signOfLife('p', 5_500)
    expect(d.get('p')!.lastHeardAt).toBe(5_500)
    expect(d.nextDeadline()).toBe(5_500 + 3_000 + 1_000)
  })

  it('clears no suspicion and revives no dead or departed peer', () => {
    const d = new FailureDetector(opts)
    d.heartbeat('s', 1n, 1n, 0)
    d.heartbeat('x', 1n, 1n, 0)
    d.heartbeat('l', 1n, 1n, 0, true)
    d.probeResult('s', 'timed-out', 10)
    d.probeResult('x', 'refused', 10)
    d.probeResult('x', 'refused', 20)
    expect([d.get('s')!.state, d.get('x')!.state, d.get('l')!.state]).toEqual(['suspect', 'dead', 'left'])
    for (const p of ['s', 'x', 'l', 'unknown']) d.signOfLife(p, 100)
    expect([d.get('s')!.state, d.get('x')!.state, d.get('l')!.state]).toEqual(['suspect', 'dead', 'left'])
    expect(d.get('s')!.lastHeardAt).toBe(0)
    expect(d.get('unknown')).toBeUndefined()
    // the suspect still dies after dead-after of silence
    d.ready()
    d.tick(10 + 3_000)
    expect(d.ready().transitions.map(t => `${t.peerId}:${t.to}`)).toEqual(['s:dead'])
  })
})
