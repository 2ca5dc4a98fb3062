import path from 'node:path'
import {Flags} from '@oclif/core'
import {draftScenario} from '../init/draft-source.js'
import {writeScenario} from '../init/scenario-writer.js'
import {claimReportFile} from '../report/report-file.js'
import {FaultlineCommand} from './base-command.js'

export default class Init extends FaultlineCommand {
  static override summary = 'Write a scenario from a HAR recording, an OpenAPI document or a .proto file'
  static override description = `Proposes a commented scenario: one endpoint per write route or operation, recorded ids turned
into templates, an effect probe from the matching read, and an expectation guessed from the
method. Comments say what was guessed; review them, then run faultline check on the file.

Exit codes: 0 written, 2 bad input (not a HAR/OpenAPI/.proto, unknown OpenAPI version, the
output file exists without --force).`
  static override examples = [
    '<%= config.bin %> init --from traffic.har --upstream http://127.0.0.1:3000',
    '<%= config.bin %> init --from openapi.yaml --out orders.yaml',
    '<%= config.bin %> init --from service.proto --upstream grpc://127.0.0.1:50051 --out -',
  ]
  static override flags = {
    from: Flags.string({description: 'HAR recording (.har), OpenAPI 3.0/3.1 document (YAML or JSON) or .proto file', required: true}),
    out: Flags.string({description: 'scenario file to write; - prints it', default: 'scenario.yaml'}),
    upstream: Flags.string({description: 'base URL of the server to test (target.url), e.g. http://127.0.0.1:3000'}),
    force: Flags.boolean({description: 'overwrite the --out file if it exists', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const toStdout = flags.out === '-'
    // Claimed before reading the source, so an existing file is refused at once.
    const out = toStdout ? undefined : claimReportFile('--out', flags.out, flags.force)
    try {
      const draft = await draftScenario(flags.from, {upstream: flags.upstream, outDir: toStdout ? process.cwd() : path.dirname(path.resolve(flags.out))})
      const text = writeScenario(draft)
      if (out) {
        out.write(text)
        process.stderr.write(`faultline: wrote ${flags.out} (${draft.endpoints.length} endpoint${draft.endpoints.length === 1 ? '' : 's'}); review the guesses, then: faultline check ${flags.out}\n`)
      } else process.stdout.write(text)
    } catch (error) {
      out?.abandon()
      throw error
    }
  }
}
