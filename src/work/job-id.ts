// Job ids minted outside a work core (tools, tests): a random prefix per process and a
// counter. The work core mints its own with the same format from its injected PRNG.
import { randomBytes } from 'node:crypto'
import { formatJobId } from './spec.js'

/** Random per process, so two nodes (or two runs) never mint the same id in one millisecond. */
const ID_PREFIX = randomBytes(4).toString('hex')
let idCounter = 0

export function newJobId (now = Date.now()): string {
  idCounter = (idCounter + 1) % 0x100000
  return formatJobId(now, ID_PREFIX, idCounter)
}
