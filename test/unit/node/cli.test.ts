import { describe, expect, it } from 'vitest'
import { main, type CliIO } from '../../../src/node/cli/main.js'

function io (): CliIO & { stdout: string, stderr: string } {
  const o = { stdout: '', stderr: '', env: {}, out: (t: string) => { o.stdout += t }, err: (t: string) => { o.stderr += t } }
  return o
}

describe('cli', () => {
  it('prints help and exits 0', async () => {
    const o = io()
    expect(await main(['--help'], o)).toBe(0)
    expect(o.stdout).toContain('Usage: meshnode')
    expect(await main(['start', '--help'], o)).toBe(0)
    expect(o.stdout).toContain('--listen <multiaddr>')
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
    expect(o.stderr).toContain("unknown command 'frobnicate'")
  })

  it('exits non-zero with a clear message when no node runs on the data dir', async () => {
    const o = io()
    expect(await main(['status', '--data-dir', '/nonexistent/meshnode'], o)).toBe(1)
    expect(o.stderr).toMatch(/no meshnode is running with data dir/)
  })

  it('exits 2 when status is given both --data-dir and --peer', async () => {
    const o = io()
    expect(await main(['status', '--data-dir', '/x', '--peer', '/ip4/127.0.0.1/tcp/1'], o)).toBe(2)
  })
})
