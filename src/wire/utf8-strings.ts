// Protobuf strings decoded by the platform's UTF-8 decoder instead of protons-runtime's.
//
// protons-runtime 5 reads every string field with a JavaScript loop (from protobufjs) that
// pushes each character code into a growing array, copies it and builds the string from the
// copy: a 52-character peer id cost ~1.5 KB of garbage and ~260 ns (node 24, ~60 ns with
// TextDecoder). On an idle 10-node mesh the strings of received heartbeats (name, version,
// addresses, capabilities, role, leader) were 17 % of everything a node allocated
// (BENCHMARKS.md, issue 14, stop 27), and so of its young-generation collections. Every
// codec of the process (gossipsub's RPC, heartbeats, Raft, work frames, admin) reads its
// strings through the one reader class, so the reader's `string()` is replaced once.
// TextDecoder (not fatal) gives U+FFFD for a malformed sequence where the loop gave some
// other character: a string field that is not UTF-8 was garbage either way.
import { reader } from 'protons-runtime'

const decoder = new TextDecoder()

export function nativeUtf8Strings (): void {
  const proto = Object.getPrototypeOf(reader(new Uint8Array(0))) as {
    bytes: () => Uint8Array
    string: () => string
    __meshnodeUtf8?: boolean
  }
  if (proto.__meshnodeUtf8 === true) return
  proto.string = function (this: { bytes: () => Uint8Array }): string {
    const bytes = this.bytes()
    return bytes.byteLength === 0 ? '' : decoder.decode(bytes)
  }
  proto.__meshnodeUtf8 = true
}
