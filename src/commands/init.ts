import {Flags} from '@oclif/core'
import {EXAMPLES, writeExample} from '../init/example.js'
import {FaultlineCommand} from './base-command.js'

export default class Init extends FaultlineCommand {
  static override summary = 'Write a starting scenario: a bundled example to run at once'
  static override examples = ['<%= config.bin %> init --example demo && <%= config.bin %> check demo.yaml']
  static override flags = {
    example: Flags.string({description: 'write this bundled example (scenario and its servers) into the current folder', options: Object.keys(EXAMPLES), required: true}),
    force: Flags.boolean({description: 'overwrite files the example would write', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const written = await writeExample(flags.example, process.cwd(), flags.force)
    for (const file of written) this.log(`wrote ${file}`)
    this.log(`run it: faultline check ${written[0]}`)
  }
}
