// The chaos suite's faults. A plan is drawn from the seed before the run (kinds, whom they
// hit as a role, hold times, gaps), so a seed replays the same sequence of faults; who holds
// a role (the leader, a job's home) is resolved when the fault starts. One fault holds at a
// time, besides the one host killed for good, so a majority of the five always survives
// once a fault heals. Each is injected into and healed on the netns mesh by FaultInjector.
import { mulberry32, randomInt, type Rng } from '../../../src/prng.js'
import { ip, ns, sh, type NetnsMesh } from '../netns.js'

export const FAULT_KINDS = ['kill', 'restart', 'isolate', 'split', 'pause', 'killforever'] as const
export type FaultKind = typeof FAULT_KINDS[number]

/** Whom a host fault hits: the current leader, the home of a job just acknowledged, anyone. */
export type Role = 'leader' | 'home' | 'any'

export interface PlannedFault {
  /** ms to wait after the previous fault healed before this one starts. */
  gapMs: number
  kind: FaultKind
  role: Role
  /**
   * ms the fault holds before it heals: a killed node's downtime, a pause, a cut. `restart`
   * restarts at once (0); `killforever` never heals.
   */
  holdMs: number
  /** split: whether the leader ends up on the 2-host side (both ways get drawn). */
  leaderInMinority: boolean
  /** A draw in [0, 1) choosing among the candidate hosts, so the choice is seeded too. */
  pick: number
}

const between = (rng: Rng, lo: number, hi: number): number => lo + randomInt(rng, hi - lo + 1)

/** How long each kind holds, ms: long enough for deaths to be committed, short enough for many faults. */
const HOLD: Record<FaultKind, [number, number]> = {
  kill: [1_000, 6_000],
  restart: [0, 0],
  isolate: [2_000, 8_000],
  split: [2_000, 8_000],
  pause: [1_000, 6_000],
  killforever: [0, 0]
}
const GAP: [number, number] = [1_000, 4_000]

/**
 * The faults of a run of `phaseMs`, drawn from `seed`: repeated kinds until the phase is full,
 * and `killforever` (when among `kinds`) exactly once, somewhere in the first two thirds.
 */
export function planFaults (seed: number, phaseMs: number, kinds: readonly FaultKind[]): PlannedFault[] {
  const rng = mulberry32(seed)
  const repeatable = kinds.filter(k => k !== 'killforever')
  const draw = (kind: FaultKind): PlannedFault => ({
    gapMs: between(rng, ...GAP),
    kind,
    role: (['leader', 'home', 'any'] as const)[randomInt(rng, 3)]!,
    holdMs: between(rng, ...HOLD[kind]),
    leaderInMinority: rng() < 0.5,
    pick: rng()
  })
  const plan: PlannedFault[] = []
  let t = 0
  while (repeatable.length > 0) {
    const f = draw(repeatable[randomInt(rng, repeatable.length)]!)
    if (t + f.gapMs + f.holdMs > phaseMs) break
    plan.push(f)
    t += f.gapMs + f.holdMs
  }
  if (kinds.includes('killforever')) {
    // Before the fault whose start is the drawn instant, so later faults run on four hosts.
    const at = between(rng, Math.floor(phaseMs / 10), Math.floor(phaseMs * 2 / 3))
    let start = 0
    let index = 0
    while (index < plan.length && start + plan[index]!.gapMs < at) start += plan[index]!.gapMs + plan[index++]!.holdMs
    plan.splice(index, 0, draw('killforever'))
  }
  return plan
}

export function describePlan (plan: readonly PlannedFault[]): string {
  return plan.map((f, i) => `${i + 1}. ${f.kind}${f.kind === 'split' ? (f.leaderInMinority ? ' (leader in the 2)' : ' (leader in the 3)') : ` (${f.role})`}` +
    `${f.holdMs > 0 ? ` ${(f.holdMs / 1000).toFixed(1)}s` : ''} after ${(f.gapMs / 1000).toFixed(1)}s`).join('\n')
}

/** What the injector needs to know about the run: the hosts holding roles right now. */
export interface RoleSource {
  /** The host the latest status polls name leader, if any. */
  leader: () => number | undefined
  /** The home host of a recently acknowledged job, if any. */
  home: () => number | undefined
}

/** One fault as it happened. */
export interface FaultRecord {
  kind: FaultKind
  /** The hosts hit (for a split: the 2-host side first, then the 3). */
  hosts: number[]
  what: string
  injectedAt: number
  /** Undefined while it holds; killforever never heals. */
  healedAt?: number
}

/** Injects and heals faults on a NetnsMesh, and knows which hosts can take work right now. */
export class FaultInjector {
  /** The host killed for good, if any. */
  dead: number | undefined
  private readonly down = new Set<number>()
  private readonly paused = new Set<number>()
  private readonly cut = new Set<number>()
  private readonly routes: Array<[number, number]> = []
  readonly records: FaultRecord[] = []

  constructor (private readonly mesh: NetnsMesh, readonly hosts: readonly number[], private readonly roles: RoleSource, private readonly say: (line: string) => void) {}

  /** Hosts whose node runs and is not paused (a client may ask them; they may be cut off). */
  responsive (): number[] {
    return this.hosts.filter(i => i !== this.dead && !this.down.has(i) && !this.paused.has(i))
  }

  /** Hosts that run a node (paused or not): everything but the dead and the down. */
  alive (): number[] {
    return this.hosts.filter(i => i !== this.dead && !this.down.has(i))
  }

  /** Runs one planned fault: inject, hold, heal. Resolves when it has healed (killforever: at once). */
  async run (f: PlannedFault): Promise<FaultRecord> {
    const rec = await this.inject(f)
    this.records.push(rec)
    this.say(`fault ${this.records.length}: ${rec.what}`)
    if (f.kind === 'killforever') return rec
    if (f.holdMs > 0) await sleep(f.holdMs)
    await this.heal(rec)
    return rec
  }

  /** Heals whatever still holds (a fault interrupted by a stop); the dead host stays dead. */
  async healAll (): Promise<void> {
    for (const r of this.records) if (r.healedAt == null && r.kind !== 'killforever') await this.heal(r)
  }

  private pickHost (f: PlannedFault): number {
    const candidates = this.alive()
    const byRole = f.role === 'leader' ? this.roles.leader() : f.role === 'home' ? this.roles.home() : undefined
    if (byRole != null && candidates.includes(byRole)) return byRole
    return candidates[Math.floor(f.pick * candidates.length)]!
  }

  private async inject (f: PlannedFault): Promise<FaultRecord> {
    const at = Date.now()
    const label = (i: number): string => {
      const roles = [this.roles.leader() === i ? 'leader' : '', this.roles.home() === i ? 'a home' : ''].filter(Boolean)
      return `h${i}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}`
    }
    const hold = `for ${(f.holdMs / 1000).toFixed(1)}s`
    switch (f.kind) {
      case 'kill':
      case 'restart':
      case 'killforever': {
        const i = this.pickHost(f)
        const what = f.kind === 'kill' ? `SIGKILL ${label(i)}, restart ${hold}` : f.kind === 'restart' ? `SIGKILL ${label(i)} and restart at once` : `SIGKILL ${label(i)} for good`
        await this.mesh.kill(i)
        if (f.kind === 'killforever') this.dead = i
        else this.down.add(i)
        return { kind: f.kind, hosts: [i], what, injectedAt: at }
      }
      case 'pause': {
        const i = this.pickHost(f)
        this.mesh.signal(i, 'SIGSTOP')
        this.paused.add(i)
        return { kind: f.kind, hosts: [i], what: `SIGSTOP ${label(i)} ${hold}`, injectedAt: at }
      }
      case 'isolate': {
        const i = this.pickHost(f)
        sh('-n', ns(i), 'link', 'set', 'eth0', 'down')
        this.cut.add(i)
        return { kind: f.kind, hosts: [i], what: `isolate ${label(i)} (link down) ${hold}`, injectedAt: at }
      }
      case 'split': {
        const [two, three] = this.sides(f)
        for (const a of two) {
          for (const b of three) {
            sh('-n', ns(a), 'route', 'add', 'blackhole', `${ip(b)}/32`)
            sh('-n', ns(b), 'route', 'add', 'blackhole', `${ip(a)}/32`)
            this.routes.push([a, b])
          }
        }
        return { kind: f.kind, hosts: [...two, ...three], what: `split ${two.map(label).join(' ')} | ${three.map(label).join(' ')} ${hold}`, injectedAt: at }
      }
    }
  }

  /**
   * The 2-host and 3-host sides of a split. The dead host, if any, is on the 2 side, so the
   * 3 side keeps a majority of live voters; the leader is on the side the plan drew.
   */
  private sides (f: PlannedFault): [number[], number[]] {
    const leader = this.roles.leader()
    const two: number[] = []
    if (this.dead != null) two.push(this.dead)
    if (f.leaderInMinority && leader != null && leader !== this.dead) two.push(leader)
    const rest = this.hosts.filter(i => !two.includes(i) && i !== leader)
    let r = f.pick
    while (two.length < 2) {
      const k = Math.floor(r * rest.length)
      two.push(rest.splice(k, 1)[0]!)
      r = (r * 7.31) % 1
    }
    return [two, this.hosts.filter(i => !two.includes(i))]
  }

  private async heal (rec: FaultRecord): Promise<void> {
    switch (rec.kind) {
      case 'kill':
      case 'restart':
        this.mesh.restart(rec.hosts[0]!)
        this.down.delete(rec.hosts[0]!)
        break
      case 'pause':
        this.mesh.signal(rec.hosts[0]!, 'SIGCONT')
        this.paused.delete(rec.hosts[0]!)
        break
      case 'isolate':
        sh('-n', ns(rec.hosts[0]!), 'link', 'set', 'eth0', 'up')
        this.cut.delete(rec.hosts[0]!)
        break
      case 'split':
        for (const [a, b] of this.routes.splice(0)) {
          sh('-n', ns(a), 'route', 'del', 'blackhole', `${ip(b)}/32`)
          sh('-n', ns(b), 'route', 'del', 'blackhole', `${ip(a)}/32`)
        }
        break
      case 'killforever':
        return
    }
    rec.healedAt = Date.now()
    this.say(`healed: ${rec.what}`)
  }
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

export function parseFaults (list: string): FaultKind[] {
  const kinds = list.split(',').map(s => s.trim()).filter(s => s !== '')
  for (const k of kinds) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault "${k}": use ${FAULT_KINDS.join(',')}`)
  if (kinds.length === 0) throw new Error(`--faults needs at least one of ${FAULT_KINDS.join(',')}`)
  return kinds as FaultKind[]
}
