// The `meshnode start` flags, generated from START_OPTIONS (src/node/config.ts): one commander
// option per entry, its help line completed with the default and the env variable, and the
// way back from commander's parsed values to config keys. No commander defaults are set, so
// an absent flag stays undefined and env, config file and defaults keep their precedence.
import { Help, Option, type Command } from 'commander'
import { CONFIG_FILE_OPTION, START_OPTIONS, describeDefault, type OptionSpec, type RawValues, type StartOptionKey } from '../config.js'

export interface StartInput {
  /** Values of the flags given, by config key (undefined when absent). */
  flags: RawValues
  /** The --config file, if given. */
  configFile?: string
}

const collect = (value: string, prev: string[] | undefined): string[] => [...(prev ?? []), value]

/** Adds every start option to `command`; returns the reader of commander's parsed options. */
export function addStartOptions (command: Command): (opts: Record<string, unknown>) => StartInput {
  const extras = new Map<Option, string[]>()
  const attributes: Array<[StartOptionKey, string]> = []

  for (const [key, spec] of Object.entries(START_OPTIONS) as Array<[StartOptionKey, OptionSpec<unknown>]>) {
    const option = new Option(spec.flag, spec.help)
    if (spec.repeatable === true) option.argParser(collect)
    // Commander rejects a bad choice itself, with its usual message and exit code 2.
    if (spec.choices != null) option.choices(spec.choices as string[])
    command.addOption(option)
    attributes.push([key, option.attributeName()])
    extras.set(option, [
      ...(spec.repeatable === true ? ['repeatable'] : []),
      ...(spec.choices != null ? [`one of ${spec.choices.join(', ')}`] : []),
      `default: ${describeDefault(spec)}`,
      `env: ${spec.env}`
    ])
  }
  const config = new Option(CONFIG_FILE_OPTION.flag, CONFIG_FILE_OPTION.help)
  command.addOption(config)
  extras.set(config, [`default: ${CONFIG_FILE_OPTION.shown}`, `env: ${CONFIG_FILE_OPTION.env}`])

  command.configureHelp({
    optionDescription (option: Option): string {
      const extra = extras.get(option)
      return extra == null ? Help.prototype.optionDescription.call(this, option) : `${option.description} (${extra.join('; ')})`
    }
  })

  return opts => ({
    flags: Object.fromEntries(attributes.map(([key, attribute]) => [key, opts[attribute]])),
    ...(typeof opts[config.attributeName()] === 'string' ? { configFile: opts[config.attributeName()] as string } : {})
  })
}
