// The chaos suite's one client host, in the root namespace (its own address on the bridge,
// netns.ts CLIENT_IP), signed in with the operator key every node trusts and holding the
// mesh key. It asks what `meshnode status`, `submit`, `jobs` and `job --results` ask, over
// the same admin and status protocols, without a process per call: on two shared cores a
// CLI per submit and poll would starve the nodes it tests.
import type { Libp2p } from 'libp2p'
import { unwrap } from '../../../src/node/client/admin.js'
import { fetchStatus } from '../../../src/node/client/status.js'
import type { StatusJson } from '../../../src/node/client/status-json.js'
import { loadKeyFile } from '../../../src/node/store/identity.js'
import { loadMeshKeyFile } from '../../../src/node/transport/mesh-key.js'
import { call, createCaller } from '../../../src/node/transport/rpc.js'
import { readRuntimeFile } from '../../../src/node/store/runtime-file.js'
import { ADMIN_CALL, type AdminCommandName, type AdminParams, type AdminResult } from '../../../src/wire/calls.js'
import type { AdminRequest } from '../../../src/wire/proto/admin.js'
import { addrOf, type NetnsMesh } from '../netns.js'

export class ChaosClient {
  private readonly addrs = new Map<number, string>()

  private constructor (private readonly mesh: NetnsMesh, readonly host: Libp2p) {}

  static async open (mesh: NetnsMesh): Promise<ChaosClient> {
    if (mesh.operatorKey == null) throw new Error('the chaos client needs a mesh started with operatorKey')
    const host = await createCaller({ key: await loadKeyFile(mesh.operatorKey), meshKeys: [(await loadMeshKeyFile(mesh.meshKey)).psk] })
    return new ChaosClient(mesh, host)
  }

  /** Host i's address with its peer id (as its runtime file advertises it; fixed across restarts). */
  async addr (i: number): Promise<string> {
    let a = this.addrs.get(i)
    if (a == null) {
      const rt = await readRuntimeFile(this.mesh.nodeDir(i))
      const own = rt.addrs.find(x => x.startsWith(addrOf(i) + '/p2p/'))
      if (own == null) throw new Error(`h${i} advertises no ${addrOf(i)} address: ${rt.addrs.join(' ')}`)
      a = own
      this.addrs.set(i, a)
    }
    return a
  }

  async status (i: number, timeoutMs = 1_500): Promise<StatusJson | undefined> {
    try {
      return await fetchStatus({ peer: await this.addr(i), timeoutMs }, this.host)
    } catch {
      return undefined
    }
  }

  /** One admin command to host i; the node's refusal is thrown as its MeshError (code kept). */
  async admin<K extends AdminCommandName> (i: number, name: K, params: AdminParams<K>, timeoutMs = 10_000): Promise<AdminResult<K>> {
    const res = await call(await this.addr(i), { [name]: params } as AdminRequest, { ...ADMIN_CALL, timeoutMs }, this.host)
    return unwrap(res, name)
  }

  async stop (): Promise<void> {
    await this.host.stop()
  }
}
