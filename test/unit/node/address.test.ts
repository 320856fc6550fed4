import { describe, expect, it } from 'vitest'
import { toMultiaddrString } from '../../../src/node/transport/address.js'
import { clientTarget } from '../../../src/node/cli/target.js'
import { resolveConfig } from '../../../src/node/config.js'

describe('addresses as people type them', () => {
  it('turns HOST:PORT into a multiaddr and leaves multiaddrs alone', () => {
    expect(toMultiaddrString('127.0.0.1:7420')).toBe('/ip4/127.0.0.1/tcp/7420')
    expect(toMultiaddrString('[::1]:7420')).toBe('/ip6/::1/tcp/7420')
    expect(toMultiaddrString('node-3.lan:7420')).toBe('/dns/node-3.lan/tcp/7420')
    expect(toMultiaddrString('/ip4/10.0.0.5/tcp/7420')).toBe('/ip4/10.0.0.5/tcp/7420')
    expect(toMultiaddrString('nonsense')).toBe('nonsense')
    expect(toMultiaddrString('a:99999')).toBe('a:99999')
  })

  it('are accepted by start --peer and by the clients, with MESHNODE_ADDR as the default target', () => {
    expect(resolveConfig({ flags: { peers: ['10.0.0.5:7420'] } }).peers).toEqual(['/ip4/10.0.0.5/tcp/7420'])
    expect(clientTarget({ peer: '127.0.0.1:7420' }, {}).peer).toBe('/ip4/127.0.0.1/tcp/7420')
    expect(clientTarget({}, { MESHNODE_ADDR: '127.0.0.1:7555' })).toMatchObject({ peer: '/ip4/127.0.0.1/tcp/7555' })
    expect(clientTarget({}, { MESHNODE_ADDR: '127.0.0.1:7555' }).dataDir).toBeUndefined()
    // An explicit --data-dir or --peer wins over the environment.
    expect(clientTarget({ dataDir: '/d' }, { MESHNODE_ADDR: '127.0.0.1:7555' })).toMatchObject({ dataDir: '/d' })
    expect(clientTarget({ dataDir: '/d' }, { MESHNODE_ADDR: '127.0.0.1:7555' }).peer).toBeUndefined()
  })
})
