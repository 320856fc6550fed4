// prom-client's default metrics, one module each (lib/metrics/*.js, CommonJS, untyped): each
// registers its metrics in the registry given, as collectDefaultMetrics calls it. src/node/metrics.ts
// registers all but the event-loop lag one.
declare module 'prom-client/lib/metrics/*.js' {
  import type { Registry } from 'prom-client'
  const register: (registry: Registry, config: Record<string, unknown>) => void
  export default register
}
