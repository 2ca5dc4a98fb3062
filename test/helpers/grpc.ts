import * as grpc from '@grpc/grpc-js'
import {loadSync} from '@grpc/proto-loader'
import {PROTO_FILE} from '../../fixtures/servers/grpc-bank.mjs'
import type {EventLog, ProxyEvent} from '../../src/events/event-log.js'

export {PROTO_FILE}

type Callback = grpc.sendUnaryData<Record<string, unknown>>
type UnaryCall = grpc.ServerUnaryCall<Record<string, unknown>, Record<string, unknown>>

/**
 * A bank.NaiveBank server on 127.0.0.1 and a random port whose Deposit handler the test may
 * replace; it counts deliveries and keeps the metadata of each.
 */
export async function startTestBank(options: {deposit?: (call: UnaryCall, callback: Callback, n: number) => void; port?: number} = {}) {
  const proto = grpc.loadPackageDefinition(loadSync(PROTO_FILE, {keepCase: true, longs: Number, defaults: true})) as unknown as {
    bank: {NaiveBank: {service: grpc.ServiceDefinition}}
  }
  const state = {deliveries: 0, metadata: [] as Array<Record<string, unknown>>}
  const server = new grpc.Server()
  server.addService(proto.bank.NaiveBank.service, {
    Deposit(call: UnaryCall, callback: Callback) {
      state.deliveries += 1
      state.metadata.push(call.metadata.getMap())
      const n = state.deliveries
      if (options.deposit) return options.deposit(call, callback, n)
      callback(null, {account: call.request.account, balance: n, transaction: `tx${n}`})
    },
    Balance(call: UnaryCall, callback: Callback) {
      callback(null, {account: call.request.account, balance: state.deliveries, deposits: state.deliveries})
    },
    Watch(call: grpc.ServerWritableStream<Record<string, unknown>, Record<string, unknown>>) {
      for (let i = 1; i <= 3; i++) call.write({account: call.request.account, balance: i, deposits: i})
      call.end()
    },
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  )
  return {port, url: `grpc://127.0.0.1:${port}`, state, close: () => server.forceShutdown()}
}

/** Every event of `events`, as they come, plus a way to wait for one (no sleeps). */
export function collect(events: EventLog) {
  const log: ProxyEvent[] = []
  const waiters: Array<{test: (e: ProxyEvent) => boolean; resolve: (e: ProxyEvent) => void}> = []
  events.on('event', (e) => {
    log.push(e)
    for (const w of [...waiters]) {
      if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(e)
      }
    }
  })
  return {
    log,
    of: (type: ProxyEvent['type']) => log.filter((e) => e.type === type),
    waitFor(test: (e: ProxyEvent) => boolean): Promise<ProxyEvent> {
      const found = log.find(test)
      if (found) return Promise.resolve(found)
      return new Promise((resolve) => waiters.push({test, resolve}))
    },
  }
}
