// The one way meshnode checks JSON that people write (job files, task specs, the config
// file): a JSON Schema compiled by ajv, every error reported at once, each naming where it is
// (`tasks[2].attempts`) and, for an unknown field, the nearest known one ("did you mean
// "attempts"?"). The schemas are published in schemas/ for editors and compiled ahead of time
// (npm run schemas) into src/generated/.
import type { ErrorObject } from 'ajv'

/** Checks a value; returns every problem in words, or [] when it is valid. */
export type Check = (value: unknown) => string[]

/** A schema's validation function as ajv compiles it: true or false, and the errors of the last call. */
export interface Validate {
  (value: unknown): boolean
  errors?: ErrorObject[] | null
}

/**
 * A check from a schema compiled ahead of time: scripts/gen-validators.mjs writes
 * src/generated/<name>-validate.cjs with ajv's standalone code (`allErrors` and `verbose` on),
 * and `load` returns it (src/lazy-require.ts loads it on first use). Compiling at run time cost
 * a node ~100 ms of its main thread at its first submit (BENCHMARKS.md, issue 14, stop 50).
 */
export function schemaCheck (load: () => Validate): Check {
  return value => {
    const validate = load()
    return validate(value) ? [] : describeErrors(validate.errors ?? [])
  }
}

/** `/tasks/2/attempts` → `tasks[2].attempts`; the root is "the job". */
export function pathOf (instancePath: string, root = 'the job'): string {
  if (instancePath === '') return root
  return instancePath.split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => /^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`, '')
}

export function describeErrors (errors: readonly ErrorObject[]): string[] {
  const out: string[] = []
  for (const e of errors) {
    // if/then/else reports the failed branch's errors and then "must match then/else": noise.
    if (e.keyword === 'if') continue
    const where = pathOf(e.instancePath)
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = (e.params as { additionalProperty: string }).additionalProperty
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
        const near = didYouMean(field, known)
        out.push(`${where}: unknown field "${field}"${near != null ? ` (did you mean "${near}"?)` : known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`)
        break
      }
      case 'required':
        out.push(`${where}: "${(e.params as { missingProperty: string }).missingProperty}" is required`)
        break
      case 'type':
        out.push(`${where}: must be ${article((e.params as { type: string }).type)}, not ${describe(e.data)}`)
        break
      case 'enum':
        out.push(`${where}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(v => JSON.stringify(v)).join(', ')}`)
        break
      default: {
        // A pattern's regex says little to a person: the field's description says what fits.
        const hint = e.keyword === 'pattern' ? (e.parentSchema as { description?: string } | undefined)?.description : undefined
        out.push(hint != null ? `${where}: ${describe(e.data)} is not ${hint}` : `${where}: ${e.message ?? 'is invalid'}`)
      }
    }
  }
  return [...new Set(out)]
}

/** The known name nearest to `word`, if it is near enough to be a typo. */
export function didYouMean (word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Infinity
  const w = word.toLowerCase()
  for (const k of known) {
    const kl = k.toLowerCase()
    // A prefix ("timeout" for "timeoutMs") is as good as one edit.
    const score = kl.startsWith(w) || w.startsWith(kl) ? Math.min(1, levenshtein(w, kl)) : levenshtein(w, kl)
    if (score < bestScore) {
      bestScore = score
      best = k
    }
  }
  return best != null && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

function levenshtein (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}

function article (type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  if (typeof v === 'number' && !Number.isInteger(v)) return `the fraction ${v}`
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`
}
