import junitModule, {type Builder} from 'junit-report-builder'
import type {FindingName} from './findings.js'
import type {AuditResult} from './run-audit.js'

// CommonJS whose module.exports is the root builder (see src/report/junit-report.ts).
const junit = junitModule as unknown as Builder

/**
 * JUnit XML: one test suite per route, one test case per finding. A required finding without
 * its wanted answer is a failure; every other finding passes (it is reported, not judged),
 * with its evidence in system-out.
 */
export function formatAuditJUnit(result: AuditResult, required: readonly FindingName[]): string {
  const builder = junit.newBuilder().name(`faultline audit ${result.upstream}`)
  for (const route of result.routes) {
    const suite = builder.testSuite().name(route.route).property('seed', String(result.seed))
    for (const f of route.findings) {
      const test = suite
        .testCase()
        .className(`faultline.audit.${route.route.replace(/\s+/g, '_')}`)
        .name(`${f.name}: ${f.status}`)
        .standardOutput([f.summary, ...f.evidence].join('\n'))
      if (required.includes(f.name) && f.status !== f.wanted) test.failure(`required ${f.name}: ${f.status}, wanted ${f.wanted}: ${f.summary}`, 'RequirementFailed')
    }
  }
  if (result.routes.length === 0 && required.length > 0) {
    const suite = builder.testSuite().name('(no traffic)')
    for (const name of required) suite.testCase().className('faultline.audit').name(`${name}: not observed`).failure('the workload sent nothing through the proxy', 'RequirementFailed')
  }
  return builder.build()
}
