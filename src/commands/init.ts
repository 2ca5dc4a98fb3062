import path from 'node:path'
import {Flags} from '@oclif/core'
import {draftScenario} from '../init/draft-source.js'
import {EXAMPLES, writeExample} from '../init/example.js'
import {writeScenario} from '../init/scenario-writer.js'
import {claimReportFile} from '../report/report-file.js'
import {FaultlineCommand} from './base-command.js'

export default class Init extends FaultlineCommand {
  static override summary = 'Write a scenario from a HAR recording, an OpenAPI document or a .proto file, or a bundled example'
  static override description = `With --from, proposes a commented scenario: one endpoint per write route or operation,
recorded ids turned into templates, an effect probe from the matching read, and an expectation
guessed from the method. Comments say what was guessed; review them, then run faultline check on
the file. With --example, writes a bundled example scenario and the fixture servers it starts
into the current folder, ready to check.

Exit codes: 0 written, 2 bad input (not a HAR/OpenAPI/.proto, unknown OpenAPI version, a file
that exists without --force).`
  static override examples = [
    '<%= config.bin %> init --from traffic.har --upstream http://127.0.0.1:3000',
    '<%= config.bin %> init --from openapi.yaml --out orders.yaml',
    '<%= config.bin %> init --from service.proto --upstream grpc://127.0.0.1:50051 --out -',
    '<%= config.bin %> init --example demo && <%= config.bin %> check demo.yaml',
  ]
  static override flags = {
    from: Flags.string({description: 'HAR recording (.har), OpenAPI 3.0/3.1 document (YAML or JSON) or .proto file', exactlyOne: ['from', 'example']}),
    example: Flags.string({description: 'write this bundled example (scenario and its servers) into the current folder', options: Object.keys(EXAMPLES), exactlyOne: ['from', 'example']}),
    out: Flags.string({description: 'with --from: scenario file to write; - prints it', default: 'scenario.yaml'}),
    upstream: Flags.string({description: 'with --from: base URL of the server to test (target.url), e.g. http://127.0.0.1:3000'}),
    force: Flags.boolean({description: 'overwrite the --out file, or the files the example would write, if they exist', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    if (flags.example) {
      const written = await writeExample(flags.example, process.cwd(), flags.force)
      for (const file of written) this.log(`wrote ${file}`)
      this.log(`run it: faultline check ${written[0]}`)
      return
    }
    await this.draft(flags.from as string, flags.out, flags.upstream, flags.force)
  }

  private async draft(from: string, outFile: string, upstream: string | undefined, force: boolean): Promise<void> {
    const toStdout = outFile === '-'
    // Claimed before reading the source, so an existing file is refused at once.
    const out = toStdout ? undefined : claimReportFile('--out', outFile, force)
    try {
      const draft = await draftScenario(from, {upstream, outDir: toStdout ? process.cwd() : path.dirname(path.resolve(outFile))})
      const text = writeScenario(draft)
      if (out) {
        out.write(text)
        process.stderr.write(`faultline: wrote ${outFile} (${draft.endpoints.length} endpoint${draft.endpoints.length === 1 ? '' : 's'}); review the guesses, then: faultline check ${outFile}\n`)
      } else process.stdout.write(text)
    } catch (error) {
      out?.abandon()
      throw error
    }
  }
}
