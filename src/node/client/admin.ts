// The client side of /meshnode/admin/2.0.0, used by the CLI: send one typed command, get its
// typed result, or a MeshError whose code is the one the server answered with, unchanged.
import type { Libp2p } from 'libp2p'
import { ADMIN_CALL, type AdminCommandName as CommandName, type AdminParams as Params, type AdminResult as Result } from '../../wire/calls.js'
import type { AdminCode } from '../../wire/codes.js'
import type { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import { MeshError } from '../errors.js'
import { call, type CallerIdentity } from '../transport/rpc.js'

/** A failed response as an error: the server's code, its message and the code in brackets. */
export function adminError (res: AdminResponse, prefix = ''): MeshError {
  return new MeshError(res.code as AdminCode, `${prefix}${res.error} [${res.code}]`, res.leader !== '' ? { leader: res.leader } : {})
}

/** The result of command `name` in `res`, or the server's failure thrown as a MeshError. */
export function unwrap<K extends CommandName> (res: AdminResponse, name: K): Result<K> {
  if (res.code !== '') throw adminError(res)
  const result = res[name]
  if (result == null) throw new MeshError('BAD_RESPONSE', `the node answered ${name} without a result; is it running the same version?`)
  return result as Result<K>
}

/**
 * Send command `name` to the node at `addr`, from `client` if given, else from a host made for
 * this call as `identity` (anonymous without one).
 */
export async function adminCall<K extends CommandName> (addr: string, name: K, params: Params<K>, client?: Libp2p, identity?: CallerIdentity): Promise<Result<K>> {
  const res = await call(addr, { [name]: params } as AdminRequest, ADMIN_CALL, client, identity)
  return unwrap(res, name)
}
