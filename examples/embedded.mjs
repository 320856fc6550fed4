// Embed a meshnode in your own program: handlers are plain functions, jobs are submitted
// and awaited in-process. Run it with `npx node examples/embedded.mjs` after `npm install`.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNode } from 'meshnode'

const dataDir = await mkdtemp(join(tmpdir(), 'meshnode-example-'))
const node = await startNode({
  dataDir,
  listen: ['/ip4/127.0.0.1/tcp/0'], // any free port; peers would dial node.addrs
  handlers: {
    square: (n) => n * n,
    // A task can grow the job's tree: each child is a task of its own, run anywhere.
    squares: (payload, ctx) => {
      for (const n of payload.numbers) ctx.spawn('square', n)
      return `spawned ${payload.numbers.length}`
    }
  }
})

const one = await node.run({ type: 'square', payload: 12 })
console.log(`square(12): ${one.state}, result ${JSON.stringify(one.result)}`)

const tree = await node.run({ type: 'squares', payload: { numbers: [1, 2, 3, 4] } })
console.log(`squares: ${tree.state}, ${tree.done}/${tree.total} tasks`)

// A workflow: steps with needs; a later step reads earlier outputs, a matrix fans out.
const wf = await node.wait(await node.workflow({
  steps: {
    base: { type: 'square', with: 3 },
    each: { needs: ['base'], type: 'square', matrix: [1, 2, '${{ steps.base.output }}'], with: '${{ matrix.item }}' },
    total: { needs: ['each'], type: 'square', with: '${{ length(steps.each.outputs) }}' }
  }
}))
console.log(`workflow: ${wf.state}, outputs ${JSON.stringify(wf.workflow.steps.map(s => s.output))}`)

await node.stop()
await rm(dataDir, { recursive: true, force: true })
