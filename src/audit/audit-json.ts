import type {AuditOperation} from './attempt.js'
import type {FindingName, FindingStatus} from './findings.js'
import type {UnmetRequirement} from './requirements.js'
import type {AuditResult} from './run-audit.js'
import type {WorkloadRun} from './workload.js'

export interface AuditJson {
  seed: number
  ok: boolean
  protocol: string
  upstream: string
  profiles: string[]
  faultAttempts: number
  groupWindowMs: number
  runs: WorkloadRun[]
  required: FindingName[]
  unmet: UnmetRequirement[]
  routes: Array<{
    route: string
    findings: Record<string, {status: FindingStatus; wanted?: 'yes' | 'no'; summary: string; evidence: string[]}>
    operations: Array<{
      id: string
      attempts: Array<{
        request: string
        /** ms after the audit started. */
        at: number
        method: string
        target: string
        key?: {source: string; value: string}
        rpcId?: string
        bodyHash: string
        fault?: string
        profile?: string
        faultFired?: boolean
        status?: number
        grouped: {rule: string; detail: string}
      }>
    }>
  }>
}

function operationJson(op: AuditOperation, origin: number): AuditJson['routes'][number]['operations'][number] {
  return {
    id: op.id,
    attempts: op.attempts.map(({attempt: a, reason}) => ({
      request: a.request,
      at: Math.round((a.time - origin) * 10) / 10,
      method: a.method,
      target: a.target,
      ...(a.key ? {key: a.key} : {}),
      ...(a.rpcId !== undefined ? {rpcId: a.rpcId} : {}),
      bodyHash: a.bodyHash,
      ...(a.fault ? {fault: a.fault.label, profile: a.fault.profile, faultFired: a.fault.fired} : {}),
      ...(a.status !== undefined ? {status: a.status} : {}),
      grouped: reason,
    })),
  }
}

/** The `--json` document: every finding with its evidence, and every operation with why its attempts were grouped. */
export function toAuditJson(result: AuditResult, required: FindingName[], unmet: UnmetRequirement[]): AuditJson {
  return {
    seed: result.seed,
    ok: unmet.length === 0,
    protocol: result.protocol,
    upstream: result.upstream,
    profiles: result.profiles,
    faultAttempts: result.faultAttempts,
    groupWindowMs: result.groupWindowMs,
    runs: result.runs,
    required,
    unmet,
    routes: result.routes.map((r) => ({
      route: r.route,
      findings: Object.fromEntries(r.findings.map((f) => [f.name, {status: f.status, ...(f.wanted ? {wanted: f.wanted} : {}), summary: f.summary, evidence: f.evidence}])),
      operations: r.operations.map((op) => operationJson(op, result.origin)),
    })),
  }
}
