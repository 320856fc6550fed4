// Tunables of the pheromone trail table, each with why it has its default.

export interface TrailOptions {
  /**
   * Time for a trail to lose half its strength. A minute: long enough to remember a good
   * peer across many steals, short enough that a peer that slowed down or left stops being
   * favoured within a few minutes.
   */
  halfLifeMs: number
  /** Exponent on trail strength (ACO's alpha): 1 weighs peers in proportion to their record. */
  alpha: number
  /** Exponent on the caller's heuristic (ACO's beta): 1 weighs it as much as the trail. */
  beta: number
  /**
   * The strength every peer is treated as having at least, unexplored ones included, so the
   * colony keeps exploring. With the default cap, a saturated peer is at most 500 times as
   * likely as an unexplored one, so newcomers are still tried now and then.
   */
  floor: number
  /** Cap on a trail, so one long-lived good peer cannot make every other peer unreachable. */
  maxTrail: number
}

export const defaultTrailOptions: Readonly<TrailOptions> = Object.freeze({
  halfLifeMs: 60_000,
  alpha: 1,
  beta: 1,
  floor: 0.1,
  maxTrail: 50
})
