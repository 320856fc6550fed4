// Who may do what. A caller is the peer id its connection authenticated (libp2p Noise proves
// it holds the key); what it may do comes from one of three places:
// - the node's own operator key (operator.key in the data dir): every right, because whoever
//   can read the data directory already owns the node;
// - a grant committed through the control log (`meshnode operator add`): a role mesh-wide;
// - nothing: an anonymous caller, who may read status and nothing else.
// Members (nodes of the committed configuration) talk over the internal, raft and work
// protocols, each of which checks membership itself; they hold no admin rights as members.
// Pure: the service that serves a protocol asks `principalOf` and `check` here.
import type { Grant, GrantRole } from '../../consensus/control.js'
import { MeshError } from '../errors.js'

/** A thing a caller may be allowed to do. */
export type Right = 'read' | 'submit' | 'operate' | 'commands'
export const RIGHTS: readonly Right[] = ['read', 'submit', 'operate', 'commands']

/** What each role may do; `commands` is granted separately (`--commands`). */
export const ROLE_RIGHTS: Readonly<Record<GrantRole, readonly Right[]>> = {
  submitter: ['read', 'submit'],
  operator: ['read', 'submit', 'operate']
}

export interface Principal {
  peerId: string
  /** local: holds this node's operator key; granted: has a committed grant; none: neither. */
  kind: 'local' | 'granted' | 'none'
  role?: GrantRole
  rights: ReadonlySet<Right>
}

export interface AccessView {
  /** Peer ids of the operator keys this node trusts as its own (the local CLI). */
  localOperators: ReadonlySet<string>
  grants: ReadonlyMap<string, Grant>
}

const ALL = new Set<Right>(RIGHTS)
const NONE = new Set<Right>()

export function principalOf (peerId: string, view: AccessView): Principal {
  if (view.localOperators.has(peerId)) return { peerId, kind: 'local', rights: ALL }
  const g = view.grants.get(peerId)
  if (g == null) return { peerId, kind: 'none', rights: NONE }
  return { peerId, kind: 'granted', role: g.role, rights: rightsOf(g.role, g.commands) }
}

/** A principal with every right: a command a member forwarded after authorizing it itself. */
export function trusted (peerId: string): Principal {
  return { peerId, kind: 'local', rights: ALL }
}

export function rightsOf (role: GrantRole, commands: boolean): Set<Right> {
  return new Set<Right>([...ROLE_RIGHTS[role], ...(commands ? ['commands' as const] : [])])
}

/** The role name shown to a caller (`meshnode operator whoami`). */
export function roleName (p: Principal): string {
  return p.kind === 'local' ? 'local' : p.role ?? 'none'
}

/** What a right is called in an error, and how to get it. */
const NEEDS: Readonly<Record<Right, string>> = {
  read: 'a submitter or operator grant',
  submit: 'a submitter or operator grant',
  operate: 'an operator grant',
  commands: 'a grant with --commands'
}

const HOW: Readonly<Record<Right, string>> = {
  read: '--role submitter',
  submit: '--role submitter',
  operate: '--role operator',
  commands: '--role submitter --commands'
}

/** Throws FORBIDDEN unless `p` holds `right`; `what` says what was refused ("set config"). */
export function check (p: Principal, right: Right, what: string): void {
  if (p.rights.has(right)) return
  throw new MeshError('FORBIDDEN', `${p.peerId} may not ${what}: that needs ${NEEDS[right]} ` +
    `(an operator can run: meshnode operator add ${p.peerId} ${HOW[right]}; ` +
    'on the node\'s own host, use --data-dir instead of --peer)')
}

/**
 * Who may approve or reject an approval gate (src/workflow/approvals.ts): an operator, or a
 * key the gate names among its `approvers` — even a submitter, or a key with no grant at all
 * (the "named approver key"). Anyone else is refused FORBIDDEN, naming both ways in.
 */
export function checkApprover (p: Principal, gate: { id: string, approvers?: readonly string[] }): void {
  if (p.rights.has('operate') || gate.approvers?.includes(p.peerId) === true) return
  const named = gate.approvers != null && gate.approvers.length > 0 ? `the gate names ${gate.approvers.join(', ')}` : 'the gate names no approver keys'
  throw new MeshError('FORBIDDEN', `${p.peerId} may not decide approval ${gate.id}: that needs ${NEEDS.operate}, or a key named among its approvers (${named}) ` +
    `(an operator can run: meshnode operator add ${p.peerId} ${HOW.operate}; ` +
    'on the node\'s own host, use --data-dir instead of --peer)')
}
