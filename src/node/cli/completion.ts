// `meshnode completion bash|zsh`: a shell completion script made from the command tree
// itself (every subcommand and its long options, as commander knows them), so it can never
// fall behind a new command or flag. zsh uses the same script through bashcompinit.
import type { Command } from 'commander'
import { MeshError } from '../errors.js'
import type { CliOutput } from './target.js'

/** Every command path ("config set", "operator raft list-peers"…) with its long options. */
export function commandTable (program: Command): Array<{ path: string, options: string[] }> {
  const out: Array<{ path: string, options: string[] }> = []
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()]
      out.push({ path: p.join(' '), options: [...sub.options.map(o => o.long).filter((l): l is string => l != null), '--help'] })
      walk(sub, p)
    }
  }
  walk(program, [])
  return out
}

export function bashCompletion (program: Command): string {
  const table = commandTable(program)
  const top = program.commands.map(c => c.name()).join(' ')
  const cases = table.map(({ path, options }) => {
    const subs = table.filter(t => t.path.startsWith(`${path} `) && t.path.split(' ').length === path.split(' ').length + 1).map(t => t.path.split(' ').at(-1))
    return `    "${path}") words="${[...subs, ...options].join(' ')}" ;;`
  }).join('\n')
  return `# meshnode completion for bash (and zsh through bashcompinit).
# bash: source <(meshnode completion bash)    or save it to /etc/bash_completion.d/meshnode
# zsh:  autoload -U +X bashcompinit && bashcompinit && source <(meshnode completion zsh)
_meshnode_complete() {
  local cur path="" i w words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # The command path typed so far: the words before the cursor that are not options.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case "\${_meshnode_paths}" in *":\${path:+$path }$w:"*) path="\${path:+$path }$w" ;; esac
  done
  case "$path" in
    "") words="${top} --help --version" ;;
${cases}
    *) words="" ;;
  esac
  # A value for a file or directory option: complete paths.
  case "\${COMP_WORDS[COMP_CWORD-1]}" in
    --data-dir|--config|--file|--key|--mesh-key|--handlers|--out) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_meshnode_paths=":${table.map(t => t.path).join(':')}:"
complete -o default -F _meshnode_complete meshnode
`
}

export function addCompletionCommand (program: Command, io: CliOutput): void {
  program.command('completion <shell>')
    .description('print a shell completion script: bash or zsh (source <(meshnode completion bash))')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new MeshError('USAGE', `completion is for bash or zsh, not "${shell}"`)
      io.out(bashCompletion(program))
    })
}
