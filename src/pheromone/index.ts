// Public face of the pheromone module: ant-colony trails that steer work stealing toward
// peers that served work well, with evaporation so the preference follows current behaviour.

export { TrailTable } from './trails.js'
export type { Candidate, TrailSnapshot } from './trails.js'
export { defaultTrailOptions } from './options.js'
export type { TrailOptions } from './options.js'
export { serviceQuality, REFERENCE_LATENCY_MS } from './quality.js'
export type { ServiceSample } from './quality.js'
export { mulberry32, randomInt } from '../prng.js'
export type { Rng } from '../prng.js'
