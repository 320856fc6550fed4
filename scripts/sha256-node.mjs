// Stands in for @chainsafe/as-sha256 in the bundle (scripts/bundle.mjs). libp2p-noise imports
// its digest() for a code path meshnode never takes (noise hashes with node:crypto), and the
// real module compiles and instantiates a WebAssembly SHA-256 when it is imported: ~1 MiB of
// every node's memory for nothing. This one hashes with node:crypto, the same function; a
// bundled module importing any other export of as-sha256 fails the build.
import { createHash } from 'node:crypto'

/** SHA-256 of `data`. */
export function digest (data) {
  const out = createHash('sha256').update(data).digest()
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
