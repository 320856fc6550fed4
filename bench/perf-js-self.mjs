// perf script -i DATA --comm MainThread | node bench/perf-js-self.mjs [N]
// Charges each perf sample to its innermost JavaScript frame (the builtins, runtime calls and GC
// below it included; "(GC)" marks samples taken inside a collection) and prints the top N
// (default 50) with their share of the samples. Frames of the bundle (dist/meshnode.mjs) print
// as M:LINE, of node_modules as nm/PATH. Made for profiles taken by bench/profile-cpu.sh.
import { createInterface } from 'node:readline'

const top = Number(process.argv[2] ?? 50)
const clean = frame => frame
  .replace(/^[0-9a-f]+ /, '')
  .replace(/ \(.*\)$/, '')
  .replace(/\+0x[0-9a-f]+/, '')
  .replace(/file:\/\/\/\S*\/dist\/meshnode\.mjs/, 'M')
  .replace(/\S*\/node_modules\//, 'nm/')

const byFrame = new Map()
let total = 0
let stack = []
function endSample () {
  if (stack.length === 0) return
  total++
  const js = stack.find(f => f.startsWith('JS:'))
  const inGc = stack.some(f => f.includes('Heap::CollectGarbage') || f.includes('Scavenge'))
  const key = inGc ? `(GC) ${js ?? ''}` : (js ?? `native: ${stack[0]}`)
  byFrame.set(key, (byFrame.get(key) ?? 0) + 1)
  stack = []
}

const lines = createInterface({ input: process.stdin })
lines.on('line', line => {
  // A sample's header starts at the first column; its frames are indented; a blank line ends it.
  if (/^\S/.test(line) || line.trim() === '') endSample()
  else stack.push(clean(line.trim()))
})
lines.on('close', () => {
  endSample()
  const pct = n => (100 * n / Math.max(1, total)).toFixed(2).padStart(6)
  let gc = 0
  for (const [k, v] of byFrame) if (k.startsWith('(GC)')) gc += v
  console.log(`${total} samples; in GC ${pct(gc).trim()} %`)
  for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k)
})
