import {Args} from '@oclif/core'
import {mergeShards} from '../check/merge.js'
import {readResultFile} from '../report/result-file.js'
import {ResultCommand, resultFlags} from './result-command.js'

export default class Merge extends ResultCommand {
  static override summary = 'Combine the --json results of every shard of a run (check --shard i/n) into one result'
  static override description = `Reads the --json file of each shard of one run (same scenario, seed and shard count),
judges every endpoint again over the trials of all shards, and reports exactly as the
unsharded run with the same seed would: terminal report or --json, --junit, --markdown,
--html, and
its exit code (0 every expectation met, 1 an expectation failed, 2 bad or mismatched files,
3 a shard's environment failed).`
  static override examples = [
    '<%= config.bin %> merge shard-1.json shard-2.json shard-3.json',
    '<%= config.bin %> merge shards/*.json --junit junit.xml --markdown "$GITHUB_STEP_SUMMARY" --html report.html',
  ]
  static override strict = false
  static override enableJsonFlag = true
  static override args = {
    shards: Args.string({description: 'the --json file of each shard', required: true}),
  }
  static override flags = resultFlags

  async run(): Promise<undefined> {
    const {argv, flags} = await this.parse(Merge)
    const files = argv as string[]
    const shards = []
    for (const file of files) shards.push({file, result: await readResultFile(file)})
    return this.present(mergeShards(shards), flags)
  }
}
