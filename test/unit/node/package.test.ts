// What the package ships and how it is run: `npm pack` holds only what the runtime and the
// types need (an allow list), the shell completion covers every command and is valid bash,
// and the systemd unit passes systemd's own check.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/node/cli/main.js'
import { bashCompletion, commandTable } from '../../../src/node/cli/completion.js'
import { tempDir } from '../../temp-dir.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')

const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^BENCHMARKS\.md$/, /^LICENSE$/,
  /^bin\/meshnode\.js$/,
  /^dist\/meshnode(-[\w-]+)?\.mjs$/, /^dist\/vendor\/[\w-]+\.cjs$/,
  /^dist\/dashboard\/(assets\/)?[\w.-]+$/,
  /^dist\/src\/.+\.d\.ts$/,
  /^deploy\/[\w.-]+$/,
  /^schemas\/[\w.-]+\.json$/
]

describe('the package', () => {
  it('ships only the runtime, the types and the docs', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path)
    const stray = files.filter(f => !ALLOWED.some(re => re.test(f)))
    expect(stray).toEqual([])
    for (const need of ['bin/meshnode.js', 'dist/meshnode.mjs', 'dist/meshnode-worker.mjs', 'dist/vendor/cron-parser.cjs', 'dist/vendor/job-validate.cjs', 'dist/vendor/workflow-validate.cjs', 'dist/vendor/yaml.cjs', 'dist/src/index.d.ts', 'deploy/meshnode.service', 'LICENSE']) expect(files).toContain(need)
    expect(files.some(f => f.endsWith('.map'))).toBe(false)
    // The bundle's chunks (scripts/bundle.mjs): every one a shipped file imports is shipped.
    const chunks = files.filter(f => /^dist\/meshnode.*\.mjs$/.test(f))
    const imported = chunks.flatMap(f => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/["']\.\/(meshnode-[\w-]+\.mjs)["']/g)].map(m => `dist/${m[1]!}`))
    expect(imported.length).toBeGreaterThan(0)
    for (const need of imported) expect(files).toContain(need)
  }, 60_000)

  it('has a README that links only to files in the repository', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const local = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map(m => m[1]!).filter(l => !/^[a-z]+:/.test(l))
    for (const link of local) {
      expect(link.startsWith('..'), `${link} points outside the repository`).toBe(false)
      expect(() => readFileSync(join(ROOT, link)), link).not.toThrow()
    }
  })
})

describe('meshnode completion', () => {
  async function script (shell: string): Promise<{ code: number, out: string, err: string }> {
    let out = ''
    let err = ''
    const code = await main(['completion', shell], { out: t => { out += t }, err: t => { err += t }, env: {} })
    return { code, out, err }
  }

  it('is valid bash naming every command path', async () => {
    const { code, out } = await script('bash')
    expect(code).toBe(0)
    const dir = tempDir('completion')
    writeFileSync(join(dir, 'c.sh'), out)
    expect(spawnSync('bash', ['-n', join(dir, 'c.sh')]).status).toBe(0)
    const probe = spawnSync('bash', ['-c', `source ${join(dir, 'c.sh')}; COMP_WORDS=(meshnode config ""); COMP_CWORD=2; _meshnode_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' })
    expect(probe.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['set', 'get', 'list', 'delete']))
    for (const p of ['start', 'submit', 'config set', 'operator add', 'token']) expect(out).toContain(`"${p}")`)
  })

  it('covers nested commands and refuses an unknown shell', async () => {
    const program = new Command('x')
    program.command('a').option('--one').command('b').option('--two <v>')
    expect(commandTable(program)).toEqual([{ path: 'a', options: ['--one', '--help'] }, { path: 'a b', options: ['--two', '--help'] }])
    expect(bashCompletion(program)).toContain('"a") words="b --one --help"')
    const fish = await script('fish')
    expect(fish.code).toBe(2)
    expect(fish.err).toMatch(/bash or zsh/)
  })
})

describe('the systemd unit', () => {
  it('passes systemd-analyze verify', () => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'])
    if (which.status !== 0) return
    const dir = tempDir('unit')
    const unit = readFileSync(join(ROOT, 'deploy', 'meshnode.service'), 'utf8')
      .replace('/usr/local/bin/meshnode', join(ROOT, 'bin', 'meshnode.js'))
      .replace(/^User=.*$/m, 'User=root').replace(/^Group=.*$/m, 'Group=root')
    writeFileSync(join(dir, 'meshnode.service'), unit)
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'meshnode.service')], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
