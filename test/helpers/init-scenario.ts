import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {DraftScenario} from '../../src/init/draft.js'
import {writeScenario} from '../../src/init/scenario-writer.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Scenario} from '../../src/scenario/types.js'

/** Write a drafted scenario into `dir` as init would and load it as check does. */
export async function writeAndLoad(dir: string, draft: DraftScenario, name = 'scenario.yaml'): Promise<{file: string; text: string; scenario: Scenario}> {
  const file = join(dir, name)
  const text = writeScenario(draft)
  writeFileSync(file, text)
  return {file, text, scenario: await loadScenario(file)}
}
