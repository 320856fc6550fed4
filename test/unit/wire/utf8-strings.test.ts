// Protobuf strings through the platform's UTF-8 decoder (src/wire/utf8-strings.ts): the same
// strings as before for every valid UTF-8, in every codec of the process.
import { reader, writer } from 'protons-runtime'
import { describe, expect, it } from 'vitest'
import { nativeUtf8Strings } from '../../../src/wire/utf8-strings.js'
import { Heartbeat } from '../../../src/wire/proto/heartbeat.js'

/** The field as protons-runtime writes it: a length varint, then the UTF-8 bytes. */
function field (s: string): Uint8Array {
  const w = writer()
  w.string(s)
  return w.finish()
}

describe('nativeUtf8Strings', () => {
  const samples = ['', 'a', '12D3KooWQnJ1bVbHEnDYwh6vLa4n1zM5Jvq8DPTkVxSxr8n8fD9e', '/ip4/127.0.0.1/tcp/20000', 'zß水🚀 é\u0000end', '🚀'.repeat(5000)]

  it('replaces the reader\'s string() once, and reads what the writer wrote', () => {
    const before = Object.getPrototypeOf(reader(new Uint8Array(0))).string
    nativeUtf8Strings()
    const after = Object.getPrototypeOf(reader(new Uint8Array(0))).string
    nativeUtf8Strings()
    expect(Object.getPrototypeOf(reader(new Uint8Array(0))).string).toBe(after)
    for (const s of samples) {
      expect(reader(field(s)).string()).toBe(s)
      // the library's own loop agrees on every sample (run it on a fresh reader)
      const r = reader(field(s))
      expect(before.call(r)).toBe(s)
    }
    expect(after).not.toBe(before)
  })

  it('a heartbeat with multi-byte strings round-trips through its codec', () => {
    nativeUtf8Strings()
    const hb = Heartbeat.decode(Heartbeat.encode({ mesh: 'm', name: 'Knoten-ß-水', version: '1.0.0', addrs: ['/ip4/10.0.0.1/tcp/4001', '/dns4/hôte.example/tcp/1'], incarnation: 3n, seq: 9n, load: 0.5, queued: 0, slots: 4, draining: false, capabilities: ['résumé', 'gpu'], role: 'leader', term: 2n, leader: '12D3KooW', uptimeMs: 5n, leaving: false, bootstrapSet: [], fullyConnected: true }))
    expect(hb.name).toBe('Knoten-ß-水')
    expect(hb.addrs).toEqual(['/ip4/10.0.0.1/tcp/4001', '/dns4/hôte.example/tcp/1'])
    expect(hb.capabilities).toEqual(['résumé', 'gpu'])
  })
})
