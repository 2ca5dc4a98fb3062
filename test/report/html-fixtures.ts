import type {BreachReport, CheckResult, EndpointReport} from '../../src/check/check-result.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import type {MeasuredTrial, TrialResult} from '../../src/check/trial-result.js'

/** Events of a drop-reply trial: the reply is lost, the retry executes again. */
export function dropReplyTimeline(path = '/naive/counters/k/increment', body = '{"value":1}'): ProxyEvent[] {
  const base = {trial: 't0.4', request: 'r1', operation: 'op'}
  return [
    {time: 1000, type: 'probe', trial: 't0.4', detail: {when: 'before', reading: {kind: 'value', value: 0}}},
    {time: 1000.2, type: 'attempt', trial: 't0.4', attempt: 1, method: 'POST', path},
    {time: 1001, type: 'request', ...base, attempt: 1, method: 'POST', path},
    {time: 1001.5, type: 'delivery', ...base, attempt: 1, delivery: 1, method: 'POST', path},
    {time: 1010, type: 'reply', ...base, attempt: 1, delivery: 1, status: 200},
    {time: 1010.1, type: 'reply-end', ...base, attempt: 1, delivery: 1, status: 200, detail: {body}},
    {
      time: 1010.2,
      type: 'fault',
      ...base,
      attempt: 1,
      fault: 'drop-reply',
      phase: 'reply',
      detail: {label: 'drop-reply'},
    },
    {
      time: 1300,
      type: 'attempt-result',
      trial: 't0.4',
      attempt: 1,
      detail: {result: 'timeout', message: 'no reply within 300ms'},
    },
    {time: 1320, type: 'attempt', trial: 't0.4', attempt: 2, method: 'POST', path},
    {time: 1321, type: 'delivery', ...base, request: 'r2', attempt: 2, delivery: 1, method: 'POST', path},
    {
      time: 1330,
      type: 'reply-end',
      ...base,
      request: 'r2',
      attempt: 2,
      delivery: 1,
      status: 200,
      detail: {body},
    },
    {time: 1330.5, type: 'forwarded', ...base, request: 'r2', attempt: 2, delivery: 1, status: 200},
    {time: 1331, type: 'attempt-result', trial: 't0.4', attempt: 2, status: 200},
    {time: 1380, type: 'probe', trial: 't0.4', detail: {when: 'after', reading: {kind: 'value', value: 2}}},
  ]
}

/** Events of a crash-after-reply trial: killed after the reply left, restarted 200 ms later. */
export function crashTimeline(): ProxyEvent[] {
  const base = {trial: 't1.1', request: 'r9', attempt: 1}
  return [
    {time: 5000, type: 'probe', trial: 't1.1', detail: {when: 'before', reading: {kind: 'value', value: 0}}},
    {time: 5000.1, type: 'attempt', trial: 't1.1', attempt: 1, method: 'POST', path: '/c'},
    {time: 5001, type: 'delivery', ...base, delivery: 1},
    {time: 5010, type: 'reply-end', ...base, delivery: 1, status: 200},
    {time: 5010.2, type: 'forwarded', ...base, delivery: 1, status: 200},
    {
      time: 5010.3,
      type: 'fault',
      ...base,
      fault: 'crash-after-reply',
      phase: 'after-reply',
      detail: {label: 'crash-after-reply'},
    },
    {time: 5011, type: 'attempt-result', trial: 't1.1', attempt: 1, status: 200},
    {
      time: 5220,
      type: 'supervisor',
      trial: 't1.1',
      request: 'r9',
      detail: {action: 'restarted', point: 'after-reply', killToReadyMs: 200},
    },
    {
      time: 5225,
      type: 'probe',
      trial: 't1.1',
      detail: {when: 'after restart', reading: {kind: 'value', value: 1}},
    },
    {time: 5226, type: 'delivery', ...base, delivery: 2},
    {time: 5240, type: 'reply-end', ...base, delivery: 2, status: 200},
    {time: 5300, type: 'probe', trial: 't1.1', detail: {when: 'after', reading: {kind: 'value', value: 2}}},
  ]
}

export function trial(id: number, timeline: ProxyEvent[], fault = 'drop-reply'): MeasuredTrial {
  return {
    id,
    profile: fault,
    fault,
    variant: fault,
    seeksSecondDelivery: true,
    injected: true,
    outcome: 'ok',
    attempts: 1,
    deliveries: 2,
    deliveriesAfterRestart: null,
    executions: 2,
    stateMatchesClean: null,
    effectVisible: true,
    effectAfterRestart: null,
    effectSurvivedCrash: null,
    stoppedEarly: false,
    replies: [],
    timeline,
    replay: `faultline check s.yaml --seed 9 --only e --trial ${id}`,
  }
}

export function endpoint(overrides: Partial<EndpointReport>): EndpointReport {
  return {
    name: 'e',
    expect: ['exactly-once'],
    met: true,
    oracle: 'count',
    inferred: false,
    contracts: {
      atLeastOnce: 'holds',
      atMostOnce: 'holds',
      exactlyOnce: 'holds',
      idempotent: 'holds',
      replyConsistent: 'unknown',
    },
    breaches: {},
    evidence: {atLeastOnce: [1], atMostOnce: [1], exactlyOnce: [1], idempotent: [1], replyConsistent: []},
    inconclusive: {atLeastOnce: [], atMostOnce: [], exactlyOnce: [], idempotent: [], replyConsistent: []},
    variants: {atLeastOnce: {}, atMostOnce: {}, exactlyOnce: {}, idempotent: {}, replyConsistent: {}},
    trials: [],
    notInjected: [],
    errors: [],
    ...overrides,
  }
}

export function breachOf(t: TrialResult, reason = 'executed 2 times after 2 deliveries'): BreachReport {
  return {trial: t.id, reason, fault: t.fault, timeline: t.timeline ?? [], replay: t.replay}
}

export function result(endpoints: EndpointReport[]): CheckResult {
  return {seed: 9, ok: false, scenario: 's.yaml', durationMs: 1200, restarts: [], endpoints}
}
