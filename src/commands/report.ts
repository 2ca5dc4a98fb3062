import {Args} from '@oclif/core'
import {fromJsonResult} from '../check/result-from-json.js'
import {readResultFile} from '../report/result-file.js'
import {ResultCommand, resultFlags} from './result-command.js'

export default class Report extends ResultCommand {
  static override summary = 'Render a saved --json result (of check or merge) again: terminal report, JUnit, Markdown, HTML'
  static override description = `Reads a result written by check --json or merge --json and prints its terminal report
(or --json), writes the report files asked for (--junit, --markdown, --html) as check wrote
them, and exits as the run did (0 every expectation met, 1 an expectation failed, 3 the run
was aborted; 2 a bad file).`
  static override examples = ['<%= config.bin %> report results.json', '<%= config.bin %> report results.json --junit junit.xml --markdown summary.md', '<%= config.bin %> report results.json --html report.html']
  static override enableJsonFlag = true
  static override args = {
    result: Args.string({description: 'a result file written by check --json or merge --json', required: true}),
  }
  static override flags = resultFlags

  async run(): Promise<undefined> {
    const {args, flags} = await this.parse(Report)
    return this.present(fromJsonResult(await readResultFile(args.result)), flags)
  }
}
