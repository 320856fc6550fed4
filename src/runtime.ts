// The one runtime check of the package: meshnode needs Node.js 22 or newer (it uses
// Promise.withResolvers, Array.fromAsync and other ES2024 APIs). Without this, an embedding
// program on Node 20 fails deep inside with "Promise.withResolvers is not a function".
const MIN_MAJOR = 22

export function requireSupportedNode (version: string = process.versions.node): void {
  const major = Number(version.split('.')[0])
  if (major >= MIN_MAJOR) return
  const err = new Error(`meshnode needs Node.js >= ${MIN_MAJOR}; this is Node.js ${version}. Install Node 22 or newer (or run through npm in a project that has the "node" package as a dependency).`)
  ;(err as Error & { code: string }).code = 'UNSUPPORTED_NODE'
  throw err
}
