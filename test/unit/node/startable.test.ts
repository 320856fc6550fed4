import { describe, expect, it } from 'vitest'
import { startAll, stopAll, type NamedService } from '../../../src/node/services/startable.js'

function recorder (): { log: string[], svc: (name: string, opts?: { failStart?: boolean, failStop?: boolean, before?: boolean }) => NamedService } {
  const log: string[] = []
  return {
    log,
    svc: (name, opts = {}) => ({
      name,
      service: {
        start: async () => {
          await Promise.resolve()
          if (opts.failStart === true) throw new Error(`${name} cannot start`)
          log.push(`start ${name}`)
        },
        stop: () => {
          log.push(`stop ${name}`)
          if (opts.failStop === true) throw new Error(`${name} cannot stop`)
        },
        ...(opts.before === true ? { beforeStop: () => { log.push(`before ${name}`) } } : {})
      }
    })
  }
}

describe('service lifecycle', () => {
  it('starts services in the order they are listed', async () => {
    const { log, svc } = recorder()
    await startAll([svc('store'), svc('consensus'), svc('admin')], () => {})
    expect(log).toEqual(['start store', 'start consensus', 'start admin'])
  })

  it('stops services in reverse order, after every beforeStop hook', async () => {
    const { log, svc } = recorder()
    await stopAll([svc('consensus', { before: true }), svc('membership', { before: true }), svc('admin')], () => {})
    expect(log).toEqual(['before membership', 'before consensus', 'stop admin', 'stop membership', 'stop consensus'])
  })

  it('stops what already started when a later service fails to start, and rethrows', async () => {
    const { log, svc } = recorder()
    await expect(startAll([svc('a'), svc('b'), svc('c', { failStart: true }), svc('d')], () => {})).rejects.toThrow('c cannot start')
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a'])
  })

  it('keeps stopping the others when one stop fails, and reports the failure by name', async () => {
    const { log, svc } = recorder()
    const errors: string[] = []
    await stopAll([svc('a'), svc('b', { failStop: true }), svc('c')], name => { errors.push(name) })
    expect(log).toEqual(['stop c', 'stop b', 'stop a'])
    expect(errors).toEqual(['b'])
  })
})
