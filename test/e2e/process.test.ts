// The process model: a node started exactly as the README says (`npx meshnode start`) stops
// when the pid the user holds — npm's — is signalled, with SIGTERM and with SIGKILL, and no
// meshnode process is left behind (src/node/launcher.ts).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isRunning as alive, waitUntil } from '../../scripts/cluster-lib.js'
import { ROOT, tempDir } from './helpers.js'

// npx is found beside the node running the tests (Node 24 from devDependencies puts its own
// npm there), as `npm test` would have it on PATH.
const PATH = `${join(ROOT, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`
// The first npx in a checkout installs the package into npm's cache, and would run its
// `prepare` (a whole build, 10-25 s) on the way: dist/ is built already (npm test builds
// first), and what runs is the same bin/meshnode.js and dist/ either way.
const NPX_ENV = { ...process.env, PATH, npm_config_ignore_scripts: 'true' }

describe('a node started through npx', () => {
  for (const [signal, port] of [['SIGTERM', 26201], ['SIGKILL', 26202]] as const) {
    it(`stops when npx's own pid gets ${signal}, leaving no process behind`, async () => {
      const dir = tempDir(`npx-${signal}`)
      const npx = spawn('npx', ['meshnode', 'start', '--data-dir', dir, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--http', 'off', '--drain-deadline-ms', '5000'],
        { cwd: ROOT, env: NPX_ENV, stdio: 'ignore' })
      let nodePid = 0
      try {
        // The first npx in a fresh checkout installs the package into npm's cache.
        await waitUntil(() => existsSync(join(dir, 'node.json')), 150_000, 'the node to start')
        nodePid = JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8')).pid
        expect(nodePid).not.toBe(npx.pid)
        npx.kill(signal)
        await waitUntil(() => !alive(nodePid), 30_000, `the node (pid ${nodePid}) to stop after npx got ${signal}`)
        expect(existsSync(join(dir, 'node.json'))).toBe(false)
      } finally {
        if (nodePid !== 0 && alive(nodePid)) process.kill(nodePid, 'SIGKILL')
        if (npx.exitCode == null) npx.kill('SIGKILL')
      }
    }, 200_000)
  }
})
