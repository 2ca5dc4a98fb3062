import {Command, type Interfaces} from '@oclif/core'

type CommandClass = typeof Command
/** The real class as oclif runs it: constructible (not abstract), with its static run. */
type Runnable = CommandClass & (new (argv: string[], config: Interfaces.Config) => Command)

/**
 * A stand-in for a command class that imports the real one when the command runs and hands
 * it the run. oclif knows the command's flags and help from the manifest; parsing and running
 * are the real class's.
 */
export function lazyCommand(load: () => Promise<{default: CommandClass}>): CommandClass {
  return class LazyCommand extends Command {
    static override async run<T extends Command>(
      this: (new (argv: string[], config: Interfaces.Config) => T) & CommandClass,
      argv?: string[],
      opts?: Interfaces.LoadOptions,
    ): Promise<ReturnType<T['run']>> {
      const Real = (await load()).default as Runnable
      Real.id = this.id
      Real.plugin = this.plugin
      return (await Real.run(argv, opts)) as ReturnType<T['run']>
    }

    async run(): Promise<void> {
      throw new Error('a lazy command runs through its static run')
    }
  }
}
