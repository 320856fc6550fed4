// The lifecycle every service of a node follows (the js-libp2p `Startable` pattern). A node
// lists its services once, in dependency order; it starts them in that order and stops them
// in reverse, so inbound traffic (listed last) stops first and what everything depends on
// (listed first) stops last. The optional hooks run across all services before the main
// phase: `beforeStop` is where a service says goodbye while every other one still works
// (hand leadership over, announce leave).

export interface Startable {
  start: () => Promise<void> | void
  stop: () => Promise<void> | void
  /** Runs for every service, in reverse order, before any `stop`. */
  beforeStop?: () => Promise<void> | void
}

export interface NamedService {
  name: string
  service: Startable
}

/**
 * Starts services in order. If one fails, the ones already started are stopped (in
 * reverse) before the error is rethrown, so a failed start leaves nothing running.
 */
export async function startAll (services: readonly NamedService[], onStopError: (name: string, err: unknown) => void): Promise<void> {
  const started: NamedService[] = []
  try {
    for (const s of services) {
      await s.service.start()
      started.push(s)
    }
  } catch (err) {
    await stopAll(started, onStopError)
    throw err
  }
}

/** Runs every `beforeStop`, then every `stop`, both in reverse order; errors are reported, not thrown. */
export async function stopAll (services: readonly NamedService[], onError: (name: string, err: unknown) => void): Promise<void> {
  const reversed = [...services].reverse()
  for (const s of reversed) {
    if (s.service.beforeStop == null) continue
    try {
      await s.service.beforeStop()
    } catch (err) {
      onError(s.name, err)
    }
  }
  for (const s of reversed) {
    try {
      await s.service.stop()
    } catch (err) {
      onError(s.name, err)
    }
  }
}
