import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/node/cli/main.js'
import { captureIO as io } from './cli-fixture.js'
import { EXIT_CODES, exitCodeOf } from '../../../src/node/errors.js'
import { tempDir } from '../../temp-dir.js'

describe('cli', () => {
  it('prints help and exits 0', async () => {
    const o = io()
    expect(await main(['--help'], o)).toBe(0)
    expect(o.stdout).toContain('Usage: meshnode')
    expect(await main(['start', '--help'], o)).toBe(0)
    expect(o.stdout).toContain('--listen <multiaddr>')
  })

  it('builds every command for anything but a start, and a start still parses its own flags', async () => {
    const o = io()
    expect(await main(['--help'], o)).toBe(0)
    for (const name of ['start', 'status', 'submit', 'workflow', 'operator', 'drain', 'keygen', 'completion', 'top']) expect(o.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'))
    const s = io()
    expect(await main(['start', '--listen', 'nowhere'], s)).toBe(2)
    expect(s.stderr).not.toContain('unknown command')
  })

  it('exits 2 with a message and usage on an unknown flag', async () => {
    const o = io()
    expect(await main(['start', '--bogus'], o)).toBe(2)
    expect(o.stderr).toContain("unknown option '--bogus'")
    expect(o.stderr).toContain('Usage: meshnode start')
  })

  it('exits 2 with a message and usage on a bad value', async () => {
    const o = io()
    expect(await main(['start', '--listen', 'nowhere'], o)).toBe(2)
    expect(o.stderr).toMatch(/invalid --listen "nowhere"/)
    expect(o.stderr).toContain('Usage: meshnode start')
  })

  it('exits 2 on an unknown command', async () => {
    const o = io()
    expect(await main(['frobnicate'], o)).toBe(2)
    expect(o.stderr).toContain('unknown command "frobnicate"')
  })

  it('exits 2 on an unknown command or subcommand even with --help, instead of showing the main help', async () => {
    for (const argv of [['frobnicate', '--help'], ['config', 'nosuch', '--help'], ['operator', 'nope', '-h']]) {
      const o = io()
      expect(await main(argv, o), argv.join(' ')).toBe(2)
      expect(o.stderr).toMatch(/unknown command "(frobnicate|config nosuch|operator nope)"/)
    }
    const ok = io()
    expect(await main(['config', 'set', '--help'], ok)).toBe(0)
    expect(ok.stdout).toContain('Usage: meshnode config set')
  })

  it('exits 7 with a clear message when no node runs on the data dir', async () => {
    const o = io()
    expect(await main(['status', '--data-dir', '/nonexistent/meshnode'], o)).toBe(7)
    expect(o.stderr).toMatch(/no meshnode is running with data dir/)
  })

  it('prints errors as {"error": {code, message}} under --json, and usage only for usage errors', async () => {
    const o = io()
    expect(await main(['jobs', '--json', '--data-dir', '/nonexistent/meshnode'], o)).toBe(7)
    expect(JSON.parse(o.stderr)).toEqual({ error: { code: 'NODE_NOT_RUNNING', message: expect.stringMatching(/no meshnode is running/) } })
    const after = io()
    expect(await main(['job', 'J', '--after', 'J/1', '--data-dir', '/nonexistent'], after)).toBe(2)
    expect(after.stderr).toMatch(/--after pages through task results/)
    const dir = tempDir('cli')
    writeFileSync(join(dir, 'bad.json'), '{"nmae": "x"}')
    const bad = io()
    expect(await main(['start', '--config', join(dir, 'bad.json')], bad)).toBe(2)
    expect(bad.stderr).toMatch(/unknown option "nmae"/)
    expect(bad.stderr).not.toContain('Usage:')
  })

  it('documents every exit code in one README table', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('### Exit codes'))
    for (const e of EXIT_CODES) {
      expect(section, `exit ${e.exit}`).toMatch(new RegExp(`^\\| ${e.exit} \\|`, 'm'))
      for (const code of e.codes) expect(section, code).toContain(`\`${code}\``)
    }
    expect(exitCodeOf(Object.assign(new Error('x'), { code: 'NOT_FOUND' }))).toBe(6)
    expect(exitCodeOf(new Error('x'))).toBe(1)
  })

  it('exits 2 when status is given both --data-dir and --peer', async () => {
    const o = io()
    expect(await main(['status', '--data-dir', '/x', '--peer', '/ip4/127.0.0.1/tcp/1'], o)).toBe(2)
  })
})
