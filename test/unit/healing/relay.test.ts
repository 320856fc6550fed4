import { describe, expect, it } from 'vitest'
import { RELAY_AFTER_CHANGE_MS, fullyConnected, peerTag, relayNeeded, relayTo, type RelayMember } from '../../../src/healing/relay.js'

const member = (over: Partial<RelayMember> = {}): RelayMember => ({ state: 'alive', connected: true, fullyConnected: true, ...over })
const SETTLED = RELAY_AFTER_CHANGE_MS

describe('gossip relays only while needed', () => {
  it('a settled mesh, every member connected and saying so, relays nothing', () => {
    const members = [member(), member(), member()]
    expect(fullyConnected(members)).toBe(true)
    expect(relayNeeded(members, SETTLED)).toBe(false)
    expect(relayNeeded([], SETTLED)).toBe(false)
  })

  it('relays for a while after any change in the view', () => {
    expect(relayNeeded([member()], 0)).toBe(true)
    expect(relayNeeded([member()], SETTLED - 1)).toBe(true)
    expect(relayNeeded([member()], SETTLED)).toBe(false)
  })

  it('relays while a member alive here has no connection from here (not yet dialled, a cut link)', () => {
    const members = [member(), member({ connected: false })]
    expect(fullyConnected(members)).toBe(false)
    expect(relayNeeded(members, SETTLED)).toBe(true)
  })

  it('relays while it suspects a member, connected or not', () => {
    for (const connected of [true, false]) {
      const members = [member(), member({ state: 'suspect', connected })]
      expect(fullyConnected(members)).toBe(false)
      expect(relayNeeded(members, SETTLED)).toBe(true)
    }
  })

  it('relays while a member does not say it is fully connected (joining, cut off, or an older version)', () => {
    const members = [member(), member({ fullyConnected: false })]
    // this node itself reaches everyone...
    expect(fullyConnected(members)).toBe(true)
    // ...but that member may count on relays
    expect(relayNeeded(members, SETTLED)).toBe(true)
  })

  it('dead and left members do not keep relays on', () => {
    const members = [member(), member({ state: 'dead', connected: false, fullyConnected: false }), member({ state: 'left', connected: false, fullyConnected: false })]
    expect(fullyConnected(members)).toBe(true)
    expect(relayNeeded(members, SETTLED)).toBe(false)
  })
})

describe('relays only to peers that do not hear the author directly', () => {
  it('a peer that lists the author gets no relay; one that lists others, none or nothing, does', () => {
    expect(relayTo(7, [3, 7, 9])).toBe(false)
    expect(relayTo(7, [3, 9])).toBe(true)
    expect(relayTo(7, [])).toBe(true) // linked to nobody, or an older node
    expect(relayTo(7, undefined)).toBe(true) // not heard yet
  })

  it("a member's tag is the last 4 bytes of its PeerId's multihash", () => {
    expect(peerTag(new Uint8Array([0, 36, 8, 1, 0xde, 0xad, 0xbe, 0xef]))).toBe(0xdeadbeef)
    expect(peerTag(new Uint8Array([1, 2, 3, 4]))).toBe(0x01020304)
    expect(peerTag(new Uint8Array([1, 2]))).toBe(0)
  })
})
