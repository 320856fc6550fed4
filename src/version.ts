// The package version, read once from package.json so heartbeats and status agree with npm.
import pkg from '../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
