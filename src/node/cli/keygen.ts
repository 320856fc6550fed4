// `meshnode keygen`: new keys, written by the CLI alone (no node needed). Without --client it
// is the mesh key every node of a mesh shares (--mesh-key FILE); with --client, an ed25519
// identity for a remote client, whose peer id an operator grants rights to.
//
// stdout carries only data (the mesh key when there is no --out, the client's peer id), so
// scripts can capture it; what was written where goes to stderr.
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Command } from 'commander'
import { MeshError } from '../errors.js'
import { writeSecretFile } from '../store/secret-file.js'
import { generateMeshKey, writeMeshKeyFile } from '../transport/mesh-key.js'
import type { CliOutput } from './target.js'

export interface KeygenOptions {
  out?: string
  force?: boolean
  /** A client identity key instead of a mesh key. */
  client?: boolean
}

export function addKeygenCommand (program: Command, io: CliOutput): void {
  program.command('keygen')
    .description('create a new mesh key (give the same file to every node with --mesh-key), or with --client a client identity key')
    .option('--out <file>', 'write the key to this file, mode 0600 (default: the mesh key to stdout)')
    .option('--force', 'replace --out if it exists')
    .option('--client', 'create a client identity key (ed25519) instead; needs --out, prints the peer id to grant rights to')
    .action(async (opts: KeygenOptions) => {
      await keygen(opts, io)
    })
}

export async function keygen (opts: KeygenOptions, io: CliOutput): Promise<void> {
  if (opts.force === true && opts.out == null) throw new MeshError('USAGE', '--force only applies with --out FILE')
  if (opts.client === true) {
    await clientKeygen(opts, io)
    return
  }
  const key = generateMeshKey()
  if (opts.out == null) {
    io.out(new TextDecoder().decode(key))
    return
  }
  await writeMeshKeyFile(opts.out, key, { force: opts.force })
  io.err(`wrote a new mesh key to ${opts.out} (mode 0600); start every node of the mesh with --mesh-key ${opts.out}\n`)
}

/** A libp2p private key (protobuf, as a node's identity.key) for a remote client. */
async function clientKeygen (opts: KeygenOptions, io: CliOutput): Promise<void> {
  // The key is binary and the whole point is that it stays private: never to a terminal.
  if (opts.out == null) throw new MeshError('USAGE', 'keygen --client needs --out FILE: a client key is written to a file (mode 0600), not printed')
  const key = await generateKeyPair('Ed25519')
  await writeSecretFile(opts.out, privateKeyToProtobuf(key), { force: opts.force, what: 'client key' })
  const peerId = peerIdFromPrivateKey(key).toString()
  io.out(`${peerId}\n`)
  io.err(`wrote a new client key to ${opts.out} (mode 0600); its public key (peer id) is ${peerId}\n`)
}
